#include "core/ingest/names.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace opendata::ingest {

namespace {

constexpr size_t kMaxIdent = 63;

// ASCII transliteration of Latin-1 Supplement letters, indexed by code point
// - 0xC0.  French headers are the main customer (é, è, à, ç, œ), but German,
// Spanish, Portuguese and Nordic letters come for free.  "" drops the
// character (×, ÷ become separators).
constexpr const char* kLatin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y"};

// A few Latin Extended-A letters that occur in French and neighbours.
const char* latin_ext(unsigned cp) {
  switch (cp) {
    case 0x152: case 0x153: return "oe";
    case 0x160: case 0x161: return "s";
    case 0x178: return "y";
    case 0x17D: case 0x17E: return "z";
    case 0x141: case 0x142: return "l";
    case 0x106: case 0x107: case 0x10C: case 0x10D: return "c";
    case 0x118: case 0x119: case 0x11A: case 0x11B: return "e";
    case 0x147: case 0x148: case 0x143: case 0x144: return "n";
    case 0x158: case 0x159: return "r";
    case 0x15A: case 0x15B: case 0x15E: case 0x15F: return "s";
    case 0x162: case 0x163: case 0x164: case 0x165: return "t";
    case 0x16E: case 0x16F: case 0x170: case 0x171: return "u";
    case 0x11E: case 0x11F: return "g";
    case 0x130: case 0x131: return "i";
    case 0x100: case 0x101: case 0x102: case 0x103: case 0x104: case 0x105: return "a";
    default: return nullptr;
  }
}

// Names that cannot be column names as such: PostgreSQL system columns
// (CREATE TABLE fails) and PostgREST's reserved query parameters (a column
// called "order" could not be filtered on over HTTP).
bool reserved(const std::string& s) {
  static constexpr const char* kReserved[] = {
      "tableoid", "xmin", "cmin", "xmax", "cmax", "ctid", "oid",
      "select", "columns", "on_conflict", "order", "limit", "offset", "and", "or", "not"};
  for (const char* r : kReserved)
    if (s == r) return true;
  return false;
}

// Decodes one UTF-8 sequence at s[i]; advances i.  Invalid bytes yield
// 0xFFFD (the input is already validated, so only for robustness).
unsigned decode(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (len == 1 || i + static_cast<size_t>(len) > s.size()) {
    ++i;
    return 0xFFFD;
  }
  unsigned cp = c & (0x3F >> (len - 1));
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += static_cast<size_t>(len);
  return cp;
}

}  // namespace

std::string make_identifier(std::string_view label, size_t position) {
  std::string out;
  bool pending_sep = false;
  auto put = [&](const char* t) {
    for (; *t; ++t) {
      if (pending_sep && !out.empty()) out.push_back('_');
      pending_sep = false;
      out.push_back(*t);
    }
  };
  for (size_t i = 0; i < label.size();) {
    unsigned cp = decode(label, i);
    char ascii[2] = {0, 0};
    const char* t = nullptr;
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
      ascii[0] = static_cast<char>(cp);
      t = ascii;
    } else if (cp >= 'A' && cp <= 'Z') {
      ascii[0] = static_cast<char>(cp - 'A' + 'a');
      t = ascii;
    } else if (cp >= 0xC0 && cp <= 0xFF) {
      t = kLatin1[cp - 0xC0];
      if (*t == '\0') t = nullptr;
    } else {
      t = latin_ext(cp);
    }
    if (t == nullptr) {
      pending_sep = true;  // runs of anything else collapse into one '_'
      continue;
    }
    put(t);
  }
  if (out.empty()) return "col_" + std::to_string(position);
  if (out[0] >= '0' && out[0] <= '9') out.insert(0, "c_");
  if (out.size() > kMaxIdent) out.resize(kMaxIdent);
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (reserved(out)) out += "_";
  return out;
}

std::string unique_name(const std::string& base, std::vector<std::string>& taken) {
  NameSet set;
  for (const auto& t : taken) set.add(t);
  std::string name = set.unique(base);
  taken.push_back(name);
  return name;
}

void NameSet::add(const std::string& name) { used_.insert(name); }

bool NameSet::contains(const std::string& name) const { return used_.count(name) != 0; }

std::string NameSet::unique(const std::string& base) {
  if (used_.insert(base).second) return base;
  // Resume where the last clash on this base stopped: n headers with the
  // same name cost n look-ups in all, not n * n / 2.
  size_t& n = next_suffix_[base];
  if (n < 2) n = 2;
  for (;; ++n) {
    if ((n & 0x3FF) == 0) check_interrupts();
    std::string suffix = "_" + std::to_string(n);
    std::string cand = base.substr(0, std::min(base.size(), kMaxIdent - suffix.size())) + suffix;
    if (used_.insert(cand).second) {
      ++n;
      return cand;
    }
  }
}

std::vector<std::string> make_identifiers(const std::vector<std::string>& labels,
                                          const std::vector<std::string>& forced) {
  check_column_count(labels.size());
  std::vector<std::string> names(labels.size());
  NameSet taken;
  for (size_t i = 0; i < labels.size() && i < forced.size(); ++i)
    if (!forced[i].empty()) {
      names[i] = forced[i];
      taken.add(forced[i]);
    }
  for (size_t i = 0; i < labels.size(); ++i) {
    if ((i & 0xFF) == 0xFF) check_interrupts();
    if (names[i].empty()) names[i] = taken.unique(make_identifier(labels[i], i + 1));
  }
  return names;
}

void check_column_count(size_t columns) {
  if (columns <= kMaxColumns) return;
  throw UserError(sqlstate::kTooManyColumns, "too many columns",
                  "The file has " + std::to_string(columns) + " columns; a table can have at most " +
                      std::to_string(kMaxColumns) + ".",
                  "Split the file, or keep only the columns you need.");
}

}  // namespace opendata::ingest
