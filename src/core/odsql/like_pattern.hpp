// The LIKE pattern of one search word of ODSQL's text matching (search(),
// LIKE, a bare string's full-text search): the value of a
// ParamType::LikePattern parameter (compiler.hpp) made into what is bound.
//
// The word comes as its pieces between '*' wildcards; each piece is
// folded the way every row's text is (lower(unaccent())), which only the
// caller can do (the core has no unaccent), then escaped, and the pieces
// are joined by '%'.  Folding comes before escaping: unaccent() turns a few
// symbols into LIKE metacharacters (U+FF05 into '%', U+FF3F into '_'), so a
// word escaped before folding would let them act as wildcards.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace opendata::odsql {

using Fold = std::function<std::string(const std::string&)>;

// '%' + `pieces` (a LikePattern parameter's), each folded by `fold` and
// with '\', '%' and '_' escaped, joined by '%', + '%': {"Piscine"} ->
// "%piscine%", {"a", "", "b"} -> "%a%%b%".
std::string like_pattern(const std::vector<std::string>& pieces, const Fold& fold);

}  // namespace opendata::odsql
