#include "pg/direct_datum.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
}

namespace opendata::pg {

namespace {

// `n` digits at text[0..n), as a number; false if one is not a digit.
bool digits(const char* text, int n, int* value) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  *value = v;
  return true;
}

// "yyyy-mm-dd" with a real day of a year from 1 to 9999; returns the
// characters read (10) or 0.
int ymd(const char* text, int* y, int* m, int* d) {
  if (!digits(text, 4, y) || text[4] != '-' || !digits(text + 5, 2, m) || text[7] != '-' ||
      !digits(text + 8, 2, d))
    return 0;
  if (*y < 1 || *m < 1 || *m > 12 || *d < 1) return 0;
  if (*d > day_tab[isleap(*y)][*m - 1]) return 0;
  return 10;
}

}  // namespace

bool direct_date(const char* text, Datum* out) {
  int y, m, d;
  if (ymd(text, &y, &m, &d) != 10 || text[10] != '\0') return false;
  *out = DateADTGetDatum(date2j(y, m, d) - POSTGRES_EPOCH_JDATE);
  return true;
}

bool direct_timestamptz(const char* text, Datum* out) {
  int y, m, d, hh, mi, ss;
  if (ymd(text, &y, &m, &d) != 10 || (text[10] != 'T' && text[10] != ' ')) return false;
  const char* p = text + 11;
  if (!digits(p, 2, &hh) || p[2] != ':' || !digits(p + 3, 2, &mi) || p[5] != ':' ||
      !digits(p + 6, 2, &ss) || hh > 23 || mi > 59 || ss > 59)
    return false;
  p += 8;
  fsec_t fsec = 0;
  if (*p == '.') {
    // At most 6 digits: more are rounded by timestamptz_in, left to it.
    int n = 0;
    for (p++; n < 6 && *p >= '0' && *p <= '9'; p++, n++) fsec = fsec * 10 + (*p - '0');
    if (n == 0 || (*p >= '0' && *p <= '9')) return false;
    for (; n < 6; n++) fsec *= 10;
  }
  int tz;  // seconds west of UTC, as PostgreSQL counts
  if (p[0] == 'Z' && p[1] == '\0') {
    tz = 0;
  } else {
    int oh, om;
    if ((p[0] != '+' && p[0] != '-') || !digits(p + 1, 2, &oh) || p[3] != ':' ||
        !digits(p + 4, 2, &om) || p[6] != '\0' || oh > 15 || om > 59)
      return false;
    tz = (p[0] == '+' ? -1 : 1) * (oh * SECS_PER_HOUR + om * SECS_PER_MINUTE);
  }
  struct pg_tm tm = {};
  tm.tm_year = y;
  tm.tm_mon = m;
  tm.tm_mday = d;
  tm.tm_hour = hh;
  tm.tm_min = mi;
  tm.tm_sec = ss;
  Timestamp result;
  if (tm2timestamp(&tm, fsec, &tz, &result) != 0 || !IS_VALID_TIMESTAMP(result)) return false;
  *out = TimestampTzGetDatum(result);
  return true;
}

}  // namespace opendata::pg
