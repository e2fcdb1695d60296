// Scanning SQL text: what a rewrite of statements (placeholders, migration
// placeholders) must leave alone.
#pragma once

#include <cstddef>
#include <string_view>

namespace stratus::core::db {

// When sql[i] starts a string literal ('…', a doubled quote being the end of
// one run and the start of the next), a quoted identifier ("…"), a line
// comment (--) or a block comment (/* */): the index just past it (the end
// of the text when it is not closed). Otherwise i.
inline std::size_t skip_quoted_or_comment(std::string_view sql, std::size_t i) {
  const char c = sql[i];
  std::size_t end = i;
  if (c == '\'' || c == '"') {
    end = sql.find(c, i + 1);
    return end == std::string_view::npos ? sql.size() : end + 1;
  }
  if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
    end = sql.find('\n', i);
    return end == std::string_view::npos ? sql.size() : end;
  }
  if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
    end = sql.find("*/", i + 2);
    return end == std::string_view::npos ? sql.size() : end + 2;
  }
  return i;
}

}  // namespace stratus::core::db
