#include "core/db/connection.h"

#include <cctype>
#include <thread>

#include "core/db/sql_text.h"

namespace stratus::core::db {

sdk::Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r.ok()) return r.status();
    if (!*r) return sdk::Status::OK();
  }
}

void sleep_for_retry(std::chrono::milliseconds pause) { std::this_thread::sleep_for(pause); }

sdk::Status classified_status(ErrorClass kind, std::string_view purpose, std::string_view detail) {
  std::string msg(purpose);
  msg += ": ";
  msg += detail;
  switch (kind) {
    case ErrorClass::kTransient:
      return sdk::Status::Unavailable(std::move(msg));
    case ErrorClass::kDuplicate:
      return sdk::Status::AlreadyExists(std::move(msg));
    case ErrorClass::kConstraint:
      return sdk::Status::InvalidArgument(std::move(msg));
    case ErrorClass::kOther:
      break;
  }
  return sdk::Status::Internal(std::move(msg));
}

namespace {
bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
}  // namespace

std::string Dialect::expand(std::string_view sql) const {
  const bool map_types = integer_type != "INTEGER" || real_type != "REAL";
  std::string out;
  out.reserve(sql.size() + sql.size() / 8);
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    // Quoted text and comments are copied as they are.
    if (std::size_t skipped = skip_quoted_or_comment(sql, i); skipped != i) {
      out.append(sql.substr(i, skipped - i));
      i = skipped;
    } else if (c == '{') {
      std::size_t end = sql.find('}', i);
      std::string_view placeholder = end == std::string_view::npos ? std::string_view() : sql.substr(i, end - i + 1);
      if (placeholder == "{identity}") {
        out.append(identity_column);
      } else if (placeholder == "{random_uuid}") {
        out.append(random_uuid);
      } else if (placeholder == "{random_hex32}") {
        out.append(random_hex32);
      } else {
        out.push_back(c);
        ++i;
        continue;
      }
      i = end + 1;
    } else if (word_char(c)) {
      std::size_t end = i;
      while (end < sql.size() && word_char(sql[end])) ++end;
      std::string_view word = sql.substr(i, end - i);
      if (map_types && word == "INTEGER") {
        out.append(integer_type);
      } else if (map_types && word == "REAL") {
        out.append(real_type);
      } else {
        out.append(word);
      }
      i = end;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace stratus::core::db
