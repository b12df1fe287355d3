# opendata: PGXS build.  `make && make install && make installcheck` as for
# any extension; `make test` and `make demo` are the two commands of README.md.

EXTENSION  = opendata
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

# Every .cpp under src/ (core and pg) goes into opendata.so: one glob; but
# GDAL's writer, which goes into a module of its own, opendata_gdal.so,
# loaded by the first GDAL export (core/export/gdal_writer.hpp): GDAL and
# its dependencies would cost every new backend 0.2 s or more to load.
GDAL_MODULE = opendata_gdal
GDAL_SRCS  = src/core/export/gdal_writer.cpp
SRCS       = $(filter-out $(GDAL_SRCS),$(sort $(shell find src -name '*.cpp')))
MODULE_big = opendata
OBJS       = $(SRCS:.cpp=.o)

# The install script is assembled from numbered parts, in order.
SQL_PARTS  = $(sort $(wildcard src/sql/*.sql))
FINALIZE_PARTS = $(filter src/sql/99%,$(SQL_PARTS))

# Upgrade scripts, one per release (docs/upgrades.md).  One to an older
# release is a complete file, installed as it is.  One to this release is
# assembled: its hand-written part, in which the line "-- @release-objects"
# becomes this release's functions, comments and grants
# (scripts/replaceable.awk) and its finalize parts.
UPGRADES_HERE = $(wildcard src/sql/upgrade/$(EXTENSION)--*--$(EXTVERSION).sql)
DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(notdir $(UPGRADES_HERE))
DATA       = $(filter-out $(UPGRADES_HERE),$(wildcard src/sql/upgrade/$(EXTENSION)--*--*.sql))

# pg_regress reads its test list from the schedule; isolation specs are found
# by name under test/isolation/specs.
REGRESS        = --schedule=test/schedule
REGRESS_OPTS   = --load-extension=plpgsql
ISOLATION      = $(basename $(notdir $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation

BUILD_TYPE ?= release
# GDAL's headers (Debian's libgdal-dev) live in their own directory.
PG_CPPFLAGS = -Isrc -I/usr/include/gdal -DOPENDATA_VERSION='"$(EXTVERSION)"' -DOPENDATA_BUILD_TYPE='"$(BUILD_TYPE)"'
PG_CXXFLAGS = -std=c++17 -Wall -Wno-register -Wno-missing-field-initializers
ifeq ($(BUILD_TYPE),debug)
PG_CXXFLAGS += -O0 -g
endif
ifdef WERROR
PG_CXXFLAGS += -Werror
endif
# zlib: Parquet pages; libxlsxwriter: XLSX (Debian's libxlsxwriter-dev);
# simdjson: validating GeoJSON imports (Debian's libsimdjson-dev).  GDAL
# (GeoPackage, FlatGeobuf, KML, Shapefile; Debian's libgdal-dev): only
# opendata_gdal.so links it.
SHLIB_LINK = -lstdc++ -lz -lxlsxwriter -lsimdjson
GDAL_LINK  = -lstdc++ -lgdal

EXTRA_CLEAN = $(DATA_built) build/ .demo/ $(GDAL_MODULE)$(DLSUFFIX) $(GDAL_SRCS:.cpp=.o)

# No LLVM bitcode for JIT inlining.  PostgreSQL built with LLVM (Debian's
# is) would install clang bitcode of every source and let JIT inline our
# functions into query plans; its inliner only expects C, and on C++ code
# it asserts and kills the backend (an alias summary where it casts to a
# function summary: complete-object constructors are aliases of the base
# ones).  Our functions are large and called once per row at most: nothing
# is lost by calling them instead.  `override` keeps Makefile.global from
# setting it back.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The GDAL module: built with the extension, installed beside it.  Its
# undefined symbols (the core's) are opendata.so's, which PostgreSQL loads
# with RTLD_GLOBAL before it (pg/gdal_module.cpp).
all: $(GDAL_MODULE)$(DLSUFFIX)
$(GDAL_MODULE)$(DLSUFFIX): $(GDAL_SRCS:.cpp=.o)
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) $(LDFLAGS_SL) -shared -o $@ $(GDAL_LINK)
install: install-gdal-module
.PHONY: install-gdal-module
install-gdal-module: $(GDAL_MODULE)$(DLSUFFIX)
	$(INSTALL_SHLIB) $< '$(DESTDIR)$(pkglibdir)/$(GDAL_MODULE)$(DLSUFFIX)'

# Bitcode left by an earlier install (before the line above) would still be
# found by the JIT inliner: remove it.
install: remove-stale-bitcode
.PHONY: remove-stale-bitcode
remove-stale-bitcode:
	rm -rf '$(DESTDIR)$(pkglibdir)/bitcode/$(MODULE_big)' '$(DESTDIR)$(pkglibdir)/bitcode/$(MODULE_big).index.bc'

# PGXS tracks no header dependencies (and its optional ones collide on
# same-named files in different folders): every object depends on every
# header.  Coarse, but a stale object with an old class layout is a crash.
OWN_HEADERS = $(shell find src -name '*.hpp')
$(OBJS) $(GDAL_SRCS:.cpp=.o): $(OWN_HEADERS)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

$(notdir $(UPGRADES_HERE)): $(EXTENSION)--%.sql: src/sql/upgrade/$(EXTENSION)--%.sql $(SQL_PARTS) scripts/replaceable.awk
	grep -qx -- '-- @release-objects' $<
	{ awk -f scripts/replaceable.awk $(filter-out $(FINALIZE_PARTS),$(SQL_PARTS)); cat $(FINALIZE_PARTS); } > $@.objects
	sed -e '/^-- @release-objects$$/{r $@.objects' -e 'd;}' $< > $@
	rm $@.objects

# version() is compiled in: a new default_version rebuilds it.
src/pg/build_info.o: $(EXTENSION).control

.PHONY: test demo demo-stop format unit fuzz bench
test:
	bash scripts/test.sh
demo-stop:
	bash scripts/demo-stop.sh
demo:
	bash scripts/demo.sh
unit:
	bash scripts/unit.sh
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-300} bash scripts/fuzz.sh
bench:
	bash scripts/bench.sh
format:
	clang-format -i $$(find src test bench -name '*.cpp' -o -name '*.hpp' | sort)
