// XmlWriter (contract in xml_writer.h).
#include "xml_writer.h"

#include <cstdint>

namespace stratus::drivers::libvirt {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool other = (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':';
    if (!(alpha || (i > 0 && other))) return false;
  }
  return true;
}

// Length of the valid UTF-8 sequence at s[i] whose code point XML allows, or 0.
std::size_t valid_utf8_char(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    const bool allowed = b0 >= 0x20 || b0 == '\t' || b0 == '\n' || b0 == '\r';
    return allowed ? 1 : 0;
  }
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates, U+FFFE/U+FFFF and beyond U+10FFFF are not XML characters.
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF) return 0;
  return len;
}

}  // namespace

std::string XmlWriter::escape(std::string_view value, bool in_attribute) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t len = valid_utf8_char(value, i);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(value.substr(i, len));
      i += len;
      continue;
    }
    const char c = value[i++];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += in_attribute ? "&quot;" : "\""; break;
      case '\'': out += in_attribute ? "&apos;" : "'"; break;
      // A parser normalises raw whitespace in attributes to spaces; keep it exact.
      case '\n': out += in_attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += in_attribute ? "&#9;" : "\t"; break;
      default: out += c; break;
    }
  }
  return out;
}

void XmlWriter::newline_indent() {
  if (!out_.empty()) out_ += '\n';
  out_.append(stack_.size() * 2, ' ');
}

void XmlWriter::finish_start_tag() {
  if (start_tag_open_) {
    out_ += '>';
    start_tag_open_ = false;
  }
}

XmlWriter& XmlWriter::open(std::string_view name) {
  if (!valid_name(name)) {
    ok_ = false;
    return *this;
  }
  finish_start_tag();
  if (!stack_.empty()) {
    if (stack_.back().has_text) ok_ = false;  // mixed content is not needed here
    stack_.back().has_children = true;
  }
  newline_indent();
  out_ += '<';
  out_.append(name);
  stack_.push_back(Open{std::string(name)});
  start_tag_open_ = true;
  return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, std::string_view value) {
  if (!start_tag_open_ || !valid_name(name)) {
    ok_ = false;
    return *this;
  }
  out_ += ' ';
  out_.append(name);
  out_ += "=\"";
  out_ += escape(value, true);
  out_ += '"';
  return *this;
}

XmlWriter& XmlWriter::text(std::string_view value) {
  if (stack_.empty() || stack_.back().has_children) {
    ok_ = false;
    return *this;
  }
  finish_start_tag();
  out_ += escape(value, false);
  stack_.back().has_text = true;
  return *this;
}

XmlWriter& XmlWriter::close() {
  if (stack_.empty()) {
    ok_ = false;
    return *this;
  }
  Open top = std::move(stack_.back());
  stack_.pop_back();
  if (start_tag_open_) {
    out_ += "/>";
    start_tag_open_ = false;
    return *this;
  }
  if (top.has_children) newline_indent();
  out_ += "</";
  out_ += top.name;
  out_ += '>';
  return *this;
}

}  // namespace stratus::drivers::libvirt
