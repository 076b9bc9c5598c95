#include "dismake/store/base_listing.h"

#include <nlohmann/json.hpp>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

using nlohmann::json;

void BaseListing::add(const std::string& path, BaseEntry entry) {
  by_folded_.emplace(fold_case(path), path);
  entries_.emplace(path, std::move(entry));
}

BaseListing BaseListing::from_entries(const std::vector<WimEntry>& entries) {
  BaseListing listing;
  for (const WimEntry& e : entries) {
    if (e.path.empty()) continue;
    listing.add(e.path, BaseEntry{e.is_directory, e.is_reparse_point, e.size, e.sha1});
  }
  return listing;
}

BaseListing BaseListing::load(const std::filesystem::path& file) {
  try {
    BaseListing listing;
    for (const json& e : json::parse(read_file(file))) {
      listing.add(e.at(0).get<std::string>(),
                  BaseEntry{e.at(1).get<bool>(), e.at(2).get<bool>(), e.at(3).get<std::uint64_t>(),
                            e.at(4).get<std::string>()});
    }
    return listing;
  } catch (const json::exception& e) {
    throw Error(hr::kFileCorrupt,
                "the base listing '" + file.string() + "' is corrupt (" + e.what() + ")",
                "run `dismake cleanup` to reap the mount, then mount again");
  }
}

void BaseListing::save(const std::filesystem::path& file) const {
  json all = json::array();
  for (const auto& [path, e] : entries_)
    all.push_back(json::array({path, e.is_directory, e.is_reparse_point, e.size, e.sha1}));
  write_file_atomic(file, all.dump());
}

const BaseEntry* BaseListing::find(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

std::optional<std::string> BaseListing::find_folded(const std::string& path) const {
  auto it = by_folded_.find(fold_case(path));
  if (it == by_folded_.end()) return std::nullopt;
  return it->second;
}

}  // namespace dismake
