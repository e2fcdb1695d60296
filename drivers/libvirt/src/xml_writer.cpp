// XmlWriter over libxml2's xmlTextWriter (contract in xml_writer.h).
#include "xml_writer.h"

#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdint>
#include <cstdio>

namespace stratus::drivers::libvirt {
namespace {

using sdk::Status;

const xmlChar* x(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

// Length of the valid UTF-8 sequence at s[i], or 0. Strict where libxml2
// 2.9's xmlGetUTF8Char is not: no overlong forms, no surrogates, no stray
// continuation byte as a lead byte, nothing past U+10FFFF.
std::size_t utf8_length(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
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
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return len;
}

}  // namespace

std::string XmlWriter::unwritable(std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    std::uint32_t cp = 0;
    const std::size_t len = utf8_length(value, i, cp);
    if (len == 0) return "invalid UTF-8 at byte " + std::to_string(i);
    if (!xmlIsCharQ(cp)) {  // XML 1.0's Char production, libxml2's table
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
      return std::string("character ") + code + " (not allowed in XML) at byte " + std::to_string(i);
    }
    i += len;
  }
  return "";
}

XmlWriter::XmlWriter() {
  // Once per process, before any other libxml2 call: the library's own
  // advice for threaded programs. Idempotent.
  [[maybe_unused]] static const bool initialised = (xmlInitParser(), true);
  buffer_.reset(xmlBufferCreate());
  if (buffer_) writer_.reset(xmlNewTextWriterMemory(buffer_.get(), 0));
  if (!writer_) {
    status_ = Status::Internal("cannot create an XML writer (out of memory)");
    return;
  }
  check(xmlTextWriterSetIndent(writer_.get(), 1), "set indent");
  check(xmlTextWriterSetIndentString(writer_.get(), reinterpret_cast<const xmlChar*>("  ")), "set indent");
}

void XmlWriter::check(int rc, const char* what) {
  if (rc < 0 && status_.ok()) {
    const std::string where = open_.empty() ? std::string("the document") : "<" + open_.back() + ">";
    status_ = Status::Internal(std::string("XML writer: ") + what + " failed in " + where + " (a bug)");
  }
}

bool XmlWriter::usable_name(std::string_view name) {
  if (!status_.ok()) return false;
  const std::string n(name);
  if (n.empty() || n.find('\0') != std::string::npos || xmlValidateQName(x(n), 0) != 0) {
    status_ = Status::Internal("XML writer: '" + n + "' is not an XML name (a bug)");
    return false;
  }
  return true;
}

bool XmlWriter::usable_value(std::string_view value, const std::string& where) {
  if (!status_.ok()) return false;
  const std::string why = unwritable(value);
  if (!why.empty()) {
    status_ = Status::InvalidArgument(where + " cannot be written as XML: " + why);
    return false;
  }
  return true;
}

XmlWriter& XmlWriter::open(std::string_view name) {
  if (!usable_name(name)) return *this;
  open_.emplace_back(name);
  check(xmlTextWriterStartElement(writer_.get(), x(open_.back())), "start element");
  return *this;
}

XmlWriter& XmlWriter::attr(std::string_view name, std::string_view value) {
  if (!usable_name(name)) return *this;
  const std::string n(name);
  const std::string where = "attribute " + n + " of <" + (open_.empty() ? std::string() : open_.back()) + ">";
  if (!usable_value(value, where)) return *this;
  check(xmlTextWriterWriteAttribute(writer_.get(), x(n), x(std::string(value))), "attribute");
  return *this;
}

XmlWriter& XmlWriter::text(std::string_view value) {
  if (!usable_value(value, "<" + (open_.empty() ? std::string() : open_.back()) + ">")) return *this;
  check(xmlTextWriterWriteString(writer_.get(), x(std::string(value))), "text");
  return *this;
}

XmlWriter& XmlWriter::close() {
  if (!status_.ok()) return *this;
  check(xmlTextWriterEndElement(writer_.get()), "end element");
  if (!open_.empty()) open_.pop_back();
  return *this;
}

sdk::Result<std::string> XmlWriter::finish() {
  if (!status_.ok()) return status_;
  if (!writer_) return Status::Internal("XML writer: finish() called twice (a bug)");
  if (!open_.empty()) return Status::Internal("XML writer: <" + open_.back() + "> left open (a bug)");
  check(xmlTextWriterEndDocument(writer_.get()), "end document");
  if (!status_.ok()) return status_;
  writer_.reset();  // flushes everything into the buffer
  const xmlChar* content = xmlBufferContent(buffer_.get());
  if (content == nullptr) return Status::Internal("XML writer: empty buffer");
  return std::string(reinterpret_cast<const char*>(content), static_cast<std::size_t>(xmlBufferLength(buffer_.get())));
}

}  // namespace stratus::drivers::libvirt
