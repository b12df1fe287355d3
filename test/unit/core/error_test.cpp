#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace {

TEST(UserError, CarriesEveryFieldTheBoundaryReports) {
  opendata::UserError e(opendata::sqlstate::kSyntaxError, "ODSQL syntax error at character 3",
                        "some detail", "some hint", 3);
  EXPECT_STREQ(e.what(), "ODSQL syntax error at character 3");
  EXPECT_EQ(e.sqlstate(), "42601");
  EXPECT_EQ(e.detail(), "some detail");
  EXPECT_EQ(e.hint(), "some hint");
  EXPECT_EQ(e.position(), 3);
}

TEST(UserError, IsCaughtAsStdException) {
  try {
    throw opendata::UserError("22023", "bad value");
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "bad value");
    return;
  }
  FAIL() << "not caught";
}

int g_calls = 0;
void counting_hook() {
  if (++g_calls == 3) throw opendata::UserError("57014", "canceling statement due to user request");
}

TEST(Interrupts, WithoutHookNothingHappens) {
  opendata::g_interrupt_hook = nullptr;
  EXPECT_NO_THROW(opendata::check_interrupts());
}

TEST(Interrupts, HookCanStopALoopByThrowing) {
  g_calls = 0;
  opendata::g_interrupt_hook = counting_hook;
  int iterations = 0;
  try {
    for (;; iterations++) opendata::check_interrupts();
  } catch (const opendata::UserError& e) {
    EXPECT_EQ(e.sqlstate(), "57014");
  }
  opendata::g_interrupt_hook = nullptr;
  EXPECT_EQ(iterations, 2);
}

}  // namespace
