#include "dismake/diff/registry_diff.h"

#include <cstdio>
#include <map>
#include <set>

#include "dismake/base/case_fold.h"
#include "dismake/base/utf8.h"

namespace dismake {

namespace {

struct KeyContents {
  std::string spelling;
  std::map<std::string, Hive::NamedValue> values;  // by folded name
};

// By folded path with '\' as the lowest character, so that a key sorts
// right before its subkeys ("A", "A\B", "A B").
using HiveContents = std::map<std::string, KeyContents>;

std::string order_key(const std::string& key_path) {
  std::string folded = fold_case(key_path);
  for (char& c : folded)
    if (c == '\\') c = '\x01';
  return folded;
}

HiveContents read_contents(Hive& hive) {
  HiveContents contents;
  hive.for_each_key([&](const std::string& key, const std::vector<Hive::NamedValue>& values) {
    KeyContents& entry = contents[order_key(key)];
    entry.spelling = key;
    for (const Hive::NamedValue& value : values) entry.values[fold_case(value.name)] = value;
  });
  return contents;
}

void add_all_values(RegistryDiff& diff, const KeyContents& key, RegistryChangeKind kind) {
  for (const auto& [folded, value] : key.values) {
    RegistryValueChange change{kind, key.spelling, value.name, std::nullopt, std::nullopt};
    (kind == RegistryChangeKind::kAdded ? change.after : change.before) = value.value;
    diff.values.push_back(std::move(change));
  }
}

void compare_values(RegistryDiff& diff, const KeyContents& before, const KeyContents& after) {
  auto b = before.values.begin();
  auto a = after.values.begin();
  while (b != before.values.end() || a != after.values.end()) {
    if (a == after.values.end() || (b != before.values.end() && b->first < a->first)) {
      diff.values.push_back({RegistryChangeKind::kRemoved, after.spelling, b->second.name,
                             b->second.value, std::nullopt});
      ++b;
    } else if (b == before.values.end() || a->first < b->first) {
      diff.values.push_back({RegistryChangeKind::kAdded, after.spelling, a->second.name,
                             std::nullopt, a->second.value});
      ++a;
    } else {
      if (b->second.value != a->second.value)
        diff.values.push_back({RegistryChangeKind::kChanged, after.spelling, a->second.name,
                               b->second.value, a->second.value});
      ++b;
      ++a;
    }
  }
}

std::string reg_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + '"';
}

std::string value_name(const std::string& name) { return name.empty() ? "@" : reg_quoted(name); }

// The text of a REG_SZ that a .reg string can hold: UTF-16LE with one
// terminating NUL and no control characters inside.
std::optional<std::string> printable_string(const std::string& bytes) {
  if (bytes.size() < 2 || bytes[bytes.size() - 1] != '\0' || bytes[bytes.size() - 2] != '\0')
    return std::nullopt;
  auto text = utf16le_to_utf8(std::string_view(bytes).substr(0, bytes.size() - 2));
  if (!text) return std::nullopt;
  for (char c : *text)
    if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
  return text;
}

std::string hex_data(const RegistryValue& value, size_t prefix_length) {
  char label[32];
  if (value.type() == RegistryType::kBinary) {
    std::snprintf(label, sizeof label, "hex:");
  } else {
    std::snprintf(label, sizeof label, "hex(%x):", static_cast<unsigned>(value.type()));
  }
  std::string out = label;
  size_t column = prefix_length + out.size();
  const std::string& bytes = value.bytes();
  for (size_t i = 0; i < bytes.size(); ++i) {
    char byte[4];
    std::snprintf(byte, sizeof byte, "%02x", static_cast<unsigned char>(bytes[i]));
    out += byte;
    column += 2;
    if (i + 1 == bytes.size()) break;
    out += ',';
    ++column;
    // regedit's width: a continuation line is never longer than 80 columns.
    if (prefix_length != kNoWrap && column > 76) {
      out += "\\\n  ";
      column = 2;
    }
  }
  return out;
}

}  // namespace

const char* registry_change_name(RegistryChangeKind kind) {
  switch (kind) {
    case RegistryChangeKind::kAdded:
      return "added";
    case RegistryChangeKind::kRemoved:
      return "removed";
    case RegistryChangeKind::kChanged:
      return "changed";
  }
  return "changed";
}

RegistryDiff diff_hives(Hive& before, Hive& after) {
  HiveContents old_keys = read_contents(before);
  HiveContents new_keys = read_contents(after);
  RegistryDiff diff;
  auto b = old_keys.begin();
  auto a = new_keys.begin();
  while (b != old_keys.end() || a != new_keys.end()) {
    if (a == new_keys.end() || (b != old_keys.end() && b->first < a->first)) {
      diff.keys.push_back({RegistryChangeKind::kRemoved, b->second.spelling});
      add_all_values(diff, b->second, RegistryChangeKind::kRemoved);
      ++b;
    } else if (b == old_keys.end() || a->first < b->first) {
      diff.keys.push_back({RegistryChangeKind::kAdded, a->second.spelling});
      add_all_values(diff, a->second, RegistryChangeKind::kAdded);
      ++a;
    } else {
      compare_values(diff, b->second, a->second);
      ++b;
      ++a;
    }
  }
  return diff;
}

std::string format_reg_data(const RegistryValue& value, size_t prefix_length) {
  const std::string& bytes = value.bytes();
  if (value.type() == RegistryType::kSz)
    if (auto text = printable_string(bytes)) return reg_quoted(*text);
  if (value.type() == RegistryType::kDword && bytes.size() == 4) {
    std::uint32_t number = 0;
    for (int i = 3; i >= 0; --i) number = number << 8 | static_cast<unsigned char>(bytes[i]);
    char text[32];
    std::snprintf(text, sizeof text, "dword:%08x", number);
    return text;
  }
  return hex_data(value, prefix_length);
}

std::string format_registry_diff(const RegistryDiff& diff, const std::string& root) {
  auto full = [&](const std::string& key) { return key.empty() ? root : root + "\\" + key; };
  // Lines per key, in key order; a removed subtree is written once, as its
  // topmost key.
  std::map<std::string, std::string> blocks;
  std::set<std::string> removed;
  for (const RegistryKeyChange& key : diff.keys) {
    std::string order = order_key(key.key);
    if (key.kind == RegistryChangeKind::kAdded) {
      blocks[order] = "[" + full(key.key) + "]\n";
      continue;
    }
    removed.insert(order);
    size_t parent_end = order.rfind('\x01');
    bool parent_removed =
        parent_end != std::string::npos && removed.count(order.substr(0, parent_end)) != 0;
    if (!parent_removed) blocks[order] = "[-" + full(key.key) + "]\n";
  }
  for (const RegistryValueChange& value : diff.values) {
    std::string order = order_key(value.key);
    if (removed.count(order) != 0) continue;
    std::string& block = blocks[order];
    if (block.empty()) block = "[" + full(value.key) + "]\n";
    std::string name = value_name(value.name) + "=";
    if (value.kind == RegistryChangeKind::kChanged)
      block += "; was: " + name + format_reg_data(*value.before, kNoWrap) + "\n";
    block += name + (value.after ? format_reg_data(*value.after, name.size()) : "-") + "\n";
  }
  std::string out;
  for (const auto& [order, block] : blocks) out += block + "\n";
  return out;
}

}  // namespace dismake
