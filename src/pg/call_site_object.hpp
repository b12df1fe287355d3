// A C++ object kept for one call site of a SQL function: in its flinfo's
// fn_extra, for as long as the function's memory context (fn_mcxt) lives,
// usually one statement.  No memory context owns C++ memory, so a reset
// callback registered on fn_mcxt deletes the object when that context goes
// (the statement ends, or an error aborts it).
//
//   CallSiteObject<Scorer>& site = CallSiteObject<Scorer>::of(fcinfo);
//   if (site.get() == nullptr || !site.get()->fits(args)) site.reset(new Scorer(args));
//   site.get()->use();
#pragma once

#include "pg/guard.hpp"
#include "pg/postgres.hpp"

namespace opendata::pg {

template <class T>
class CallSiteObject {
 public:
  // The call site's slot, made (empty) at its first call.
  static CallSiteObject& of(FunctionCallInfo fcinfo) {
    auto* site = static_cast<CallSiteObject*>(fcinfo->flinfo->fn_extra);
    if (site == nullptr) {
      MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
      site = call([cxt] {
        auto* s = static_cast<CallSiteObject*>(MemoryContextAllocZero(cxt, sizeof(CallSiteObject)));
        s->callback_.func = &CallSiteObject::release;
        s->callback_.arg = s;
        MemoryContextRegisterResetCallback(cxt, &s->callback_);
        return s;
      });
      fcinfo->flinfo->fn_extra = site;
    }
    return *site;
  }

  T* get() const { return object_; }

  // Deletes the object kept (now, rather than when the context goes) and
  // keeps `object` instead; nullptr keeps none.
  void reset(T* object) {
    delete object_;
    object_ = object;
  }

 private:
  static void release(void* arg) { static_cast<CallSiteObject*>(arg)->reset(nullptr); }

  // palloc'd and zeroed, never constructed: plain members only.
  MemoryContextCallback callback_;
  T* object_;
};

}  // namespace opendata::pg
