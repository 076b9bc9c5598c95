#include "dismake/store/state_delta.h"

#include <nlohmann/json.hpp>

namespace dismake {

using nlohmann::json;

namespace {
// A kind no version of the record names reads as a deletion, as it always has.
FileKind kind_from(const std::string& name) {
  return file_kind_named(name).value_or(FileKind::kAbsent);
}
}  // namespace

bool DeltaEntry::operator==(const DeltaEntry& other) const {
  return kind == other.kind && blob == other.blob && size == other.size &&
         symlink_target == other.symlink_target && replaces_base == other.replaces_base &&
         origin == other.origin && attributes_set == other.attributes_set &&
         attributes_clear == other.attributes_clear && security_from == other.security_from &&
         link_of == other.link_of;
}

void DeltaEntry::keep_metadata_of(const DeltaEntry& other) {
  origin = other.origin;
  attributes_set = other.attributes_set;
  attributes_clear = other.attributes_clear;
  security_from = other.security_from;
}

const DeltaEntry* StateDelta::find(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

void StateDelta::erase_below(const std::string& path) {
  std::string prefix = path + "/";
  auto it = entries_.lower_bound(prefix);
  while (it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0)
    it = entries_.erase(it);
}

void StateDelta::set(const std::string& path, DeltaEntry entry) {
  if (entry.kind != FileKind::kDirectory || entry.replaces_base) erase_below(path);
  entries_[path] = std::move(entry);
}

void StateDelta::reset(const std::string& path) {
  erase_below(path);
  entries_.erase(path);
}

void StateDelta::set_property(const std::string& name, const std::string& value) {
  properties_[name] = value;
}

json StateDelta::to_json() const {
  json entries = json::object();
  for (const auto& [path, e] : entries_) {
    json j = {{"kind", file_kind_name(e.kind)}};
    if (e.kind == FileKind::kFile) {
      j["blob"] = e.blob;
      j["sha1"] = e.sha1;
      j["size"] = e.size;
    }
    if (e.kind == FileKind::kSymlink) j["target"] = e.symlink_target;
    if (e.replaces_base) j["replaces_base"] = true;
    if (!e.origin.empty()) j["origin"] = e.origin;
    if (e.attributes_set != 0) j["attributes_set"] = e.attributes_set;
    if (e.attributes_clear != 0) j["attributes_clear"] = e.attributes_clear;
    if (!e.security_from.empty()) j["security_from"] = e.security_from;
    if (!e.link_of.empty()) j["link_of"] = e.link_of;
    entries[path] = std::move(j);
  }
  return {{"entries", std::move(entries)}, {"properties", properties_}};
}

StateDelta StateDelta::from_json(const json& j) {
  StateDelta delta;
  for (const auto& [path, e] : j.at("entries").items()) {
    DeltaEntry entry;
    entry.kind = kind_from(e.at("kind").get<std::string>());
    entry.blob = e.value("blob", "");
    entry.sha1 = e.value("sha1", "");
    entry.size = e.value("size", std::uint64_t{0});
    entry.symlink_target = e.value("target", "");
    entry.replaces_base = e.value("replaces_base", false);
    entry.origin = e.value("origin", "");
    entry.attributes_set = e.value("attributes_set", std::uint32_t{0});
    entry.attributes_clear = e.value("attributes_clear", std::uint32_t{0});
    entry.security_from = e.value("security_from", "");
    entry.link_of = e.value("link_of", "");
    delta.entries_.emplace(path, std::move(entry));
  }
  delta.properties_ = j.at("properties").get<std::map<std::string, std::string>>();
  return delta;
}

}  // namespace dismake
