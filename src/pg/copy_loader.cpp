#include "pg/copy_loader.hpp"

#include <cstring>

extern "C" {
#include "access/table.h"
#include "catalog/objectaddress.h"
#include "commands/copy.h"
#include "nodes/makefuncs.h"
#include "nodes/value.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "storage/lockdefs.h"
#include "utils/acl.h"
#include "utils/rel.h"
#include "utils/rls.h"
}

namespace opendata::pg {

namespace {

// COPY's data source callback has no context argument, so the running load
// is reached through this pointer.  A plain pointer (no static object), set
// only for the duration of copy_into().
struct Feed {
  const ChunkProducer* next;
  std::string chunk;
  std::size_t pos = 0;
  bool done = false;
  // The error context outside COPY.  The producer reports a bad value with
  // its own row; COPY's context ("COPY x, line 1") would name the line
  // COPY is waiting for, not the one in error, so it is left out.
  ErrorContextCallback* outer_context = nullptr;
};
Feed* g_feed = nullptr;

// Called by CopyFrom from C frames: C++ exceptions must not escape, so the
// body runs in a boundary that turns them into ERRORs, which longjmp back
// through CopyFrom to the pg::call() around it.
int feed_copy(void* outbuf, int minread, int maxread) {
  // An error longjmps to the PG_TRY of the pg::call() around CopyFrom,
  // which restores the context stack it saved.
  ErrorContextCallback* copy_context = error_context_stack;
  error_context_stack = g_feed->outer_context;
  const int bytes = boundary([&]() -> int {
    Feed& f = *g_feed;
    int written = 0;
    auto* out = static_cast<char*>(outbuf);
    while (written < minread && !f.done) {
      if (f.pos == f.chunk.size()) {
        f.pos = 0;
        if (!(*f.next)(f.chunk)) {
          f.done = true;
          break;
        }
        continue;
      }
      std::size_t n = std::min<std::size_t>(f.chunk.size() - f.pos, maxread - written);
      std::memcpy(out + written, f.chunk.data() + f.pos, n);
      f.pos += n;
      written += static_cast<int>(n);
    }
    return written;
  });
  error_context_stack = copy_context;
  return bytes;
}

}  // namespace

void check_load_rights(Relation rel) {
  // What COPY FROM checks before loading: INSERT on the table (or on every
  // column), and no row-level security, which COPY FROM cannot apply.
  // Managing a dataset gives no right to write its table.
  const Oid relation = RelationGetRelid(rel);
  if (pg_class_aclcheck(relation, GetUserId(), ACL_INSERT) != ACLCHECK_OK &&
      pg_attribute_aclcheck_all(relation, GetUserId(), ACL_INSERT, ACLMASK_ALL) != ACLCHECK_OK)
    aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(rel->rd_rel->relkind),
                   RelationGetRelationName(rel));
  if (check_enable_rls(relation, InvalidOid, false) == RLS_ENABLED)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("cannot import into \"%s\": it has row-level security",
                           RelationGetRelationName(rel)),
                    errhint("Import into a table without row-level security, or load it with INSERT.")));
}

std::uint64_t copy_into(Oid relation, const ChunkProducer& next) {
  Feed feed{&next, {}, 0, false, error_context_stack};
  g_feed = &feed;
  std::uint64_t rows = 0;
  try {
    rows = call([relation] {
      Relation rel = table_open(relation, RowExclusiveLock);
      check_load_rights(rel);
      // CopyFrom builds its executor state from the parse state's range
      // table, as COPY's own DoCopy() sets it up.
      ParseState* pstate = make_parsestate(nullptr);
      addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, nullptr, false, false);
      // The producer emits UTF-8 whatever the client encoding is.
      List* options = list_make1(makeDefElem(pstrdup("encoding"), (Node*)makeString(pstrdup("UTF8")), -1));
      CopyFromState cstate = BeginCopyFrom(pstate, rel, nullptr, nullptr, false, feed_copy, NIL, options);
      uint64 processed = CopyFrom(cstate);
      EndCopyFrom(cstate);
      table_close(rel, NoLock);
      free_parsestate(pstate);
      return processed;
    });
  } catch (...) {
    g_feed = nullptr;
    throw;
  }
  g_feed = nullptr;
  return rows;
}

}  // namespace opendata::pg
