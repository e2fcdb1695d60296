// XmlWriter: builds an XML document element by element, escaping every
// attribute value and text node, so no value can end an element or start a
// new one. Values are also made well-formed: characters XML 1.0 forbids
// (control characters, invalid UTF-8) become U+FFFD, because libvirt's parser
// would reject the whole document for one of them in a display name.
//
// Element and attribute names come from code, never from users; they are
// checked, and a bad one is a bug reported by ok() == false.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stratus::drivers::libvirt {

class XmlWriter {
 public:
  // Starts <name ...>; attributes may follow until the next child or text.
  XmlWriter& open(std::string_view name);
  XmlWriter& attr(std::string_view name, std::string_view value);
  XmlWriter& text(std::string_view value);
  // Ends the innermost open element (as <x/> when it has no content).
  XmlWriter& close();
  // <name>text</name>
  XmlWriter& element(std::string_view name, std::string_view value) { return open(name).text(value).close(); }

  // False after a misuse (bad name, attr after content, close with nothing
  // open); str() of a misused writer must not be used.
  bool ok() const { return ok_ && stack_.empty(); }
  const std::string& str() const { return out_; }

  // The escaping, exposed for tests.
  static std::string escape(std::string_view value, bool in_attribute);

 private:
  void finish_start_tag();
  void newline_indent();

  struct Open {
    std::string name;
    bool has_children = false;
    bool has_text = false;
  };
  std::string out_;
  std::vector<Open> stack_;
  bool start_tag_open_ = false;
  bool ok_ = true;
};

}  // namespace stratus::drivers::libvirt
