// XmlWriter: builds an XML document element by element on libxml2's
// xmlTextWriter (a memory buffer, two-space indent), which escapes every
// attribute value and text node, so no value can end an element or start a
// new one.
//
// Values are checked before libxml2 sees them: XML 1.0 cannot carry control
// characters, U+FFFE/U+FFFF or invalid UTF-8, and xmlTextWriter writes such
// bytes through as they are (and stops at a NUL), which would make a document
// libvirt rejects whole. The first such value fails the document: finish()
// returns kInvalidArgument naming the element or attribute and the byte. The
// check is our own (unwritable() below) because libxml2 2.9's UTF-8 decoder
// (xmlGetUTF8Char) accepts overlong forms and a continuation byte as a lead
// byte.
//
// Element and attribute names come from code, never from users; a bad one,
// or a misuse (attr after content, close with nothing open, an element left
// open) is a bug, reported by finish() as kInternal.
//
// Not thread-safe (one writer per document); no exception leaves it.
#pragma once

#include <libxml/xmlwriter.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stratus/sdk/result.h"

namespace stratus::drivers::libvirt {

class XmlWriter {
 public:
  XmlWriter();
  XmlWriter(const XmlWriter&) = delete;
  XmlWriter& operator=(const XmlWriter&) = delete;

  // Starts <name ...>; attributes may follow until the next child or text.
  XmlWriter& open(std::string_view name);
  XmlWriter& attr(std::string_view name, std::string_view value);
  XmlWriter& text(std::string_view value);
  // Ends the innermost open element (as <x/> when it has no content).
  XmlWriter& close();
  // <name>text</name>
  XmlWriter& element(std::string_view name, std::string_view value) { return open(name).text(value).close(); }

  // The document (ending in a newline), or the first error met while writing.
  // Call once, after the last close().
  sdk::Result<std::string> finish();

  // Why XML 1.0 cannot carry `value` ("invalid UTF-8 at byte 3",
  // "character U+0007 at byte 4"), or "" when it can. Exposed for tests.
  static std::string unwritable(std::string_view value);

 private:
  struct BufferFree {
    void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
  };
  struct WriterFree {
    void operator()(xmlTextWriter* w) const { xmlFreeTextWriter(w); }
  };

  bool usable_name(std::string_view name);
  bool usable_value(std::string_view value, const std::string& where);
  void check(int rc, const char* what);

  // Declared before the writer, so the writer (which flushes into the
  // buffer when freed) goes first.
  std::unique_ptr<xmlBuffer, BufferFree> buffer_;
  std::unique_ptr<xmlTextWriter, WriterFree> writer_;
  std::vector<std::string> open_;  // names of the open elements, for messages
  sdk::Status status_;
};

}  // namespace stratus::drivers::libvirt
