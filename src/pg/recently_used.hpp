// A few values a backend keeps between calls, by key, the most recently
// used first: when full, adding one drops the least recently used (after
// `drop` has released what it holds outside C++ memory, if anything).
// Small on purpose: found by a walk of the list.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <string>
#include <utility>

namespace opendata::pg {

template <class V>
class RecentlyUsed {
 public:
  explicit RecentlyUsed(std::size_t capacity, std::function<void(V&)> drop = nullptr)
      : capacity_(capacity), drop_(std::move(drop)) {}

  // The value kept for `key`, now the most recently used; nullptr if none.
  V* find(const std::string& key) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == key) {
        entries_.splice(entries_.begin(), entries_, it);
        return &entries_.front().second;
      }
    }
    return nullptr;
  }

  void add(std::string key, V value) {
    if (entries_.size() >= capacity_) {
      if (drop_) drop_(entries_.back().second);
      entries_.pop_back();
    }
    entries_.emplace_front(std::move(key), std::move(value));
  }

 private:
  std::size_t capacity_;
  std::function<void(V&)> drop_;
  std::list<std::pair<std::string, V>> entries_;
};

}  // namespace opendata::pg
