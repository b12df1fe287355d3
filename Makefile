# opendata: PGXS build.  `make && make install && make installcheck` as for
# any extension; `make test` and `make demo` are the two commands of README.md.

EXTENSION  = opendata
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

# Every .cpp under src/ (core and pg) goes into opendata.so: one glob.
SRCS       = $(sort $(shell find src -name '*.cpp'))
MODULE_big = opendata
OBJS       = $(SRCS:.cpp=.o)

# The install script is assembled from numbered parts, in order.
SQL_PARTS  = $(sort $(wildcard src/sql/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA       = $(wildcard src/sql/upgrade/$(EXTENSION)--*--*.sql)

# pg_regress reads its test list from the schedule; isolation specs are found
# by name under test/isolation/specs.
REGRESS        = --schedule=test/schedule
REGRESS_OPTS   = --load-extension=plpgsql
ISOLATION      = $(basename $(notdir $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation

BUILD_TYPE ?= release
PG_CPPFLAGS = -Isrc -DOPENDATA_VERSION='"$(EXTVERSION)"' -DOPENDATA_BUILD_TYPE='"$(BUILD_TYPE)"'
PG_CXXFLAGS = -std=c++17 -Wall -Wno-register -Wno-missing-field-initializers
ifeq ($(BUILD_TYPE),debug)
PG_CXXFLAGS += -O0 -g
endif
ifdef WERROR
PG_CXXFLAGS += -Werror
endif
SHLIB_LINK = -lstdc++

EXTRA_CLEAN = $(EXTENSION)--$(EXTVERSION).sql build/ .demo/

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Debian's PostgreSQL is built with LLVM: PGXS also compiles every .cpp to
# bitcode with clang, from BITCODE_CXXFLAGS rather than CXXFLAGS.  It must see
# the same language level, or the C++17 sources do not parse.
override BITCODE_CXXFLAGS += -std=c++17 -Wno-register

# PGXS tracks no header dependencies (and its optional ones collide on
# same-named files in different folders): every object depends on every
# header.  Coarse, but a stale object with an old class layout is a crash.
HEADERS = $(shell find src -name '*.hpp')
$(OBJS) $(OBJS:.o=.bc): $(HEADERS)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

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
