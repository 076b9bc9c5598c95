#include "registry_test_support.h"

#include <gtest/gtest.h>
#include <hivex.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/scratch_dir.h"

namespace dismake::test {

namespace {

// Walks `key` from the root of an open hive; 0 when a part is missing.
hive_node_h walk(hive_h* h, const std::string& key) {
  hive_node_h node = hivex_root(h);
  std::stringstream parts(key);
  std::string part;
  while (node != 0 && std::getline(parts, part, '\\')) {
    if (!part.empty()) node = hivex_node_get_child(h, node, part.c_str());
  }
  return node;
}

struct HiveReader {
  explicit HiveReader(const fs::path& path) : h(hivex_open(path.c_str(), 0)) {
    EXPECT_NE(h, nullptr) << "hivex cannot open " << path;
  }
  ~HiveReader() {
    if (h) hivex_close(h);
  }
  hive_h* h;
};

}  // namespace

fs::path copy_hive(const std::string& name, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(testdata(name), to);
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
  return to;
}

std::optional<std::pair<std::uint32_t, std::string>> read_raw_value(const fs::path& hive,
                                                                    const std::string& key,
                                                                    const std::string& name) {
  HiveReader reader(hive);
  if (!reader.h) return std::nullopt;
  hive_node_h node = walk(reader.h, key);
  if (node == 0) return std::nullopt;
  hive_value_h value = hivex_node_get_value(reader.h, node, name.c_str());
  if (value == 0) return std::nullopt;
  hive_type type;
  size_t length = 0;
  char* data = hivex_value_value(reader.h, value, &type, &length);
  if (data == nullptr) return std::nullopt;
  std::pair<std::uint32_t, std::string> result(type, std::string(data, length));
  std::free(data);
  return result;
}

std::optional<std::size_t> value_data_cell(const fs::path& hive, const std::string& key,
                                           const std::string& name) {
  HiveReader reader(hive);
  if (!reader.h) return std::nullopt;
  hive_node_h node = walk(reader.h, key);
  if (node == 0) return std::nullopt;
  hive_value_h value = hivex_node_get_value(reader.h, node, name.c_str());
  if (value == 0) return std::nullopt;
  size_t cell = hivex_value_data_cell_offset(reader.h, value, nullptr);
  if (cell == 0) return std::nullopt;
  return cell;
}

std::int64_t key_filetime(const fs::path& hive, const std::string& key) {
  HiveReader reader(hive);
  if (!reader.h) return -1;
  hive_node_h node = walk(reader.h, key);
  return node == 0 ? -1 : hivex_node_timestamp(reader.h, node);
}

std::vector<std::string> subkey_names(const fs::path& hive, const std::string& key) {
  HiveReader reader(hive);
  std::vector<std::string> names;
  if (!reader.h) return names;
  hive_node_h node = walk(reader.h, key);
  if (node == 0) return names;
  hive_node_h* children = hivex_node_children(reader.h, node);
  for (size_t i = 0; children && children[i] != 0; ++i) {
    char* name = hivex_node_name(reader.h, children[i]);
    names.emplace_back(name);
    std::free(name);
  }
  std::free(children);
  return names;
}

}  // namespace dismake::test
