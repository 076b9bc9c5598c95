#include "dismake/store/commit_plan.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include "dismake/base/digest.h"
#include "dismake/base/phase_timer.h"
#include "dismake/store/image_path.h"
#include "dismake/wim/ntfs_volume.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

namespace fs = std::filesystem;

bool CommitPlan::empty() const { return size() == 0; }

size_t CommitPlan::size() const {
  return deletions_before_renames.size() + renames.size() + deletions.size() + directories.size() +
         replaced.size() + created.size() + symlinks.size() + hard_links.size();
}

std::string CommitPlan::digest() const {
  Sha256 d;
  auto add_list = [&d](const char* name, const std::vector<std::string>& paths) {
    d.add(name).add(std::to_string(paths.size()));
    for (const std::string& path : paths) d.add(path);
  };
  auto add_pairs = [&d](const char* name,
                        const std::vector<std::pair<std::string, std::string>>& pairs) {
    d.add(name).add(std::to_string(pairs.size()));
    for (const auto& [a, b] : pairs) d.add(a).add(b);
  };
  auto add_files = [&d](const char* name, const std::vector<StagedFile>& files) {
    d.add(name).add(std::to_string(files.size()));
    for (const StagedFile& f : files)
      d.add(f.path)
          .add(f.sha1)
          .add(f.base_sha1)
          .add(std::to_string(f.attributes_set))
          .add(std::to_string(f.attributes_clear))
          .add(f.security_from)
          .add(std::to_string(f.link_group));
  };
  add_list("delete-before-renames", deletions_before_renames);
  add_pairs("rename", renames);
  add_list("delete", deletions);
  add_list("directories", directories);
  add_files("replaced", replaced);
  add_files("created", created);
  add_pairs("symlinks", symlinks);
  if (!hard_links.empty()) add_pairs("hard links", hard_links);  // older plans' digests stay
  return d.hex();
}

namespace {

std::uint64_t size_on_disk(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// Room for the content twice (a replaced file is extracted, then rewritten)
// and an MFT record per file; the file is sparse, so room costs nothing.
std::uint64_t volume_size(const std::vector<const StagedFile*>& files, size_t directories) {
  std::uint64_t bytes = 64ULL << 20;
  for (const StagedFile* f : files) bytes += 2 * size_on_disk(f->content) + 16384;
  bytes += 16384 * directories;
  return (bytes + (1ULL << 20) - 1) & ~((1ULL << 20) - 1);
}

// The attributes a changed file ends with: what it had, ARCHIVE when its
// content was written (as any write on Windows sets it), then what the steps
// set and cleared. NORMAL means "no other attribute" and is never combined.
std::uint32_t final_attributes(std::uint32_t had, const StagedFile& file) {
  std::uint32_t attributes = had & ~kFileAttributeNormal;
  if (file.content_changed())
    attributes = (attributes | kFileAttributeArchive) & ~kFileAttributeReparsePoint;
  attributes = (attributes | file.attributes_set) & ~file.attributes_clear;
  attributes &= ~kFileAttributeNormal;
  return attributes == 0 ? kFileAttributeNormal : attributes;
}

// Names of one base file that keep one content are extracted together and
// so stay hard links of each other; a name whose content now differs from
// its group's goes into a later batch, as a file of its own.
std::vector<std::vector<std::string>> extraction_batches(const std::vector<StagedFile>& files) {
  std::vector<std::vector<std::string>> batches;
  std::vector<std::map<std::uint64_t, std::string>> group_content;
  for (const StagedFile& f : files) {
    size_t b = 0;
    for (; b < batches.size(); ++b) {
      if (f.link_group == 0) break;
      auto it = group_content[b].find(f.link_group);
      if (it == group_content[b].end() || it->second == f.sha1) break;
    }
    if (b == batches.size()) {
      batches.emplace_back();
      group_content.emplace_back();
    }
    batches[b].push_back(f.path);
    if (f.link_group != 0) group_content[b].emplace(f.link_group, f.sha1);
  }
  return batches;
}

// A new file: no descriptor unless a step gave it one, ARCHIVE, new times.
void create_new_file(NtfsVolume& volume, const StagedFile& file, std::int64_t when) {
  volume.create_directories(parent_image_path(file.path));
  volume.create_file(file.path, file.content, final_attributes(kFileAttributeArchive, file));
  volume.set_times(file.path, when, /*set_creation=*/true);
}

// The hard links made in the mount to the files of `staged`, as other names
// of them in `volume`, which holds them.
void link_names(NtfsVolume& volume, const CommitPlan& plan,
                const std::vector<const StagedFile*>& staged) {
  std::set<std::string> here;
  for (const StagedFile* f : staged) here.insert(f->path);
  for (const auto& [path, file] : plan.hard_links) {
    if (here.count(file) == 0) continue;
    volume.create_directories(parent_image_path(path));
    volume.create_hard_link(file, path);
  }
}

// New directories and the new files that take no security descriptor.
fs::path stage_new_files(const CommitPlan& plan, const fs::path& staging, std::int64_t when) {
  std::vector<const StagedFile*> files;
  for (const StagedFile& f : plan.created)
    if (f.security_from.empty()) files.push_back(&f);
  if (files.empty() && plan.directories.empty()) return {};
  fs::path image = staging / "new.ntfs";
  NtfsVolume::format(image, volume_size(files, plan.directories.size()));
  NtfsVolume volume = NtfsVolume::open(image);
  for (const std::string& dir : plan.directories) volume.create_directories(dir);
  for (const StagedFile* f : files) create_new_file(volume, *f, when);
  link_names(volume, plan, files);
  // Last, children first: creating an entry moves its directory's times.
  for (auto it = plan.directories.rbegin(); it != plan.directories.rend(); ++it)
    volume.set_times(*it, when, /*set_creation=*/true);
  volume.close();
  return image;
}

// The new directories renames move entries into, in a volume of their own
// (none when there are none), made as stage_new_files makes them: that
// volume's copies of them merge into these.
fs::path stage_directories_before_renames(const CommitPlan& plan, const fs::path& staging,
                                          std::int64_t when) {
  if (plan.directories_before_renames.empty()) return {};
  fs::path image = staging / "renamed-into.ntfs";
  NtfsVolume::format(image, volume_size({}, plan.directories_before_renames.size()));
  NtfsVolume volume = NtfsVolume::open(image);
  for (const std::string& dir : plan.directories_before_renames) volume.create_directories(dir);
  for (auto it = plan.directories_before_renames.rbegin();
       it != plan.directories_before_renames.rend(); ++it)
    volume.set_times(*it, when, /*set_creation=*/true);
  volume.close();
  return image;
}

// The deletions, directories made before the renames (`directories`, from
// stage_directories_before_renames) and renames of `plan`, in the order
// they are applied.
std::vector<UpdateCommand> structure_of(const CommitPlan& plan, const fs::path& directories) {
  std::vector<UpdateCommand> structure;
  for (const std::string& path : plan.deletions_before_renames)
    structure.push_back(UpdateCommand::remove(path));
  if (!directories.empty())
    structure.push_back(UpdateCommand::add_ntfs_volume(directories, "", false));
  for (const auto& [from, to] : plan.renames) structure.push_back(UpdateCommand::rename(from, to));
  for (const std::string& path : plan.deletions) structure.push_back(UpdateCommand::remove(path));
  return structure;
}

// A fresh volume holding the base versions of `batch`, as the image has
// them once renamed: from a copy of the image in memory pruned to them, or
// from the cache when an earlier commit extracted the same ones.
void stage_base_versions(const fs::path& wim_file, int image, const CommitPlan& plan,
                         const std::vector<UpdateCommand>& structure,
                         const std::vector<std::string>& batch, std::uint64_t size,
                         BaseVersionCache& cache, const fs::path& volume) {
  if (batch.empty()) return NtfsVolume::format(volume, size);
  std::string description = std::to_string(image) + "\n" + std::to_string(size);
  for (const auto* list : {&plan.deletions_before_renames, &plan.deletions, &batch})
    for (const std::string& path : *list) description += "\n" + path;
  for (const auto& [from, to] : plan.renames) description += "\n" + from + "\n" + to;
  std::string key = cache.key_of(description);
  if (cache.restore(key, volume)) return;
  PhaseTimer timer("commit: base versions of replaced files extracted");
  NtfsVolume::format(volume, size);
  WimFile pruned = WimFile::open(wim_file);
  pruned.update_image(image, structure);
  pruned.extract_only_to_ntfs(image, volume, batch);
  cache.keep(key, volume);
}

// The files of one batch's volume: the batch's replaced files, and in the
// first volume the new files that take a security descriptor.
std::vector<const StagedFile*> files_of_batch(const CommitPlan& plan,
                                              const std::set<std::string>& batch, bool first) {
  std::vector<const StagedFile*> files;
  for (const StagedFile& f : plan.replaced)
    if (batch.count(f.path) != 0) files.push_back(&f);
  if (first)
    for (const StagedFile& f : plan.created)
      if (!f.security_from.empty()) files.push_back(&f);
  return files;
}

// The volume of batch `index` of extraction_batches() holding its base
// versions; none when the batch has no files.
fs::path prepare_changed_volume(const fs::path& wim_file, int image, const CommitPlan& plan,
                                const std::vector<UpdateCommand>& structure,
                                const std::vector<std::string>& batch, size_t index,
                                BaseVersionCache& cache, const fs::path& staging) {
  std::set<std::string> in_batch(batch.begin(), batch.end());
  std::vector<const StagedFile*> files = files_of_batch(plan, in_batch, index == 0);
  if (files.empty()) return {};
  fs::path volume = staging / ("changed-" + std::to_string(index) + ".ntfs");
  stage_base_versions(wim_file, image, plan, structure, batch, volume_size(files, 0), cache,
                      volume);
  return volume;
}

// Gives the files of a prepared volume their new content, attributes and
// descriptors, and creates the first volume's new files that take one.
void finish_changed_volume(const fs::path& volume_image, const CommitPlan& plan,
                           const std::vector<std::string>& batch, size_t index,
                           const std::map<std::string, std::string>& descriptors,
                           std::int64_t when) {
  bool first = index == 0;
  std::set<std::string> in_batch(batch.begin(), batch.end());
  std::vector<const StagedFile*> files = files_of_batch(plan, in_batch, first);
  NtfsVolume volume = NtfsVolume::open(volume_image);
  std::set<std::pair<std::uint64_t, std::string>> written;  // linked names share content
  for (const StagedFile* staged : files) {
    const StagedFile& f = *staged;
    if (in_batch.count(f.path) == 0) continue;
    if (f.content_changed() &&
        (f.link_group == 0 || written.emplace(f.link_group, f.sha1).second)) {
      volume.drop_reparse_point(f.path);  // new content is the file's own (WOF, dedup...)
      volume.write_content(f.path, f.content);
    }
    volume.set_attributes(f.path, final_attributes(volume.attributes(f.path), f));
    if (f.content_changed()) volume.set_times(f.path, when, /*set_creation=*/false);
  }
  if (first)
    for (const StagedFile& f : plan.created)
      if (!f.security_from.empty()) create_new_file(volume, f, when);
  link_names(volume, plan, files);
  for (const StagedFile* f : files)
    if (!f->security_from.empty())
      volume.set_security_descriptor(f->path, descriptors.at(f->security_from));
  volume.close();
}

}  // namespace

BaseVersionVolumes stage_base_version_volumes(const fs::path& wim_file, int image,
                                              const CommitPlan& plan, const fs::path& staging,
                                              BaseVersionCache& cache) {
  fs::create_directories(staging);
  // Only the paths matter in the pruned copy the base versions come from.
  std::vector<UpdateCommand> structure =
      structure_of(plan, stage_directories_before_renames(plan, staging, 0));
  BaseVersionVolumes staged;
  staged.batches = extraction_batches(plan.replaced);
  if (staged.batches.empty()) staged.batches.emplace_back();
  for (size_t b = 0; b < staged.batches.size(); ++b)
    staged.volumes.push_back(prepare_changed_volume(wim_file, image, plan, structure,
                                                    staged.batches[b], b, cache, staging));
  cache.drop_unused();
  return staged;
}

void apply_commit_plan(WimFile& wim, int image, const CommitPlan& plan, const fs::path& staging,
                       std::int64_t when, const BaseVersionVolumes& staged) {
  const auto& batches = staged.batches;
  const auto& changed_volumes = staged.volumes;
  fs::create_directories(staging);
  std::vector<UpdateCommand> structure =
      structure_of(plan, stage_directories_before_renames(plan, staging, when));
  // Read before anything moves: the paths named are the base's.
  std::map<std::string, std::string> descriptors;
  for (const auto* files : {&plan.replaced, &plan.created})
    for (const StagedFile& f : *files)
      if (!f.security_from.empty() && descriptors.count(f.security_from) == 0)
        descriptors[f.security_from] = wim.security_descriptor(image, f.security_from);
  wim.update_image(image, structure);

  // One update per volume: wimlib takes files of one update with the same
  // inode number (an MFT record number here) for hard links of one file.
  // New directories first, so that the other volume's copies of them (the
  // parents of new files with a descriptor) merge into these.
  PhaseTimer new_files("commit: new files staged and added");
  fs::path fresh = stage_new_files(plan, staging, when);
  if (!fresh.empty()) wim.update_image(image, {UpdateCommand::add_ntfs_volume(fresh, "", false)});
  new_files.stop();
  PhaseTimer changed_files("commit: changed files staged and added");
  for (size_t b = 0; b < batches.size(); ++b) {
    if (changed_volumes[b].empty()) continue;
    finish_changed_volume(changed_volumes[b], plan, batches[b], b, descriptors, when);
    wim.update_image(image, {UpdateCommand::add_ntfs_volume(changed_volumes[b], "", true)});
  }
  changed_files.stop();
  std::vector<UpdateCommand> additions;
  int scratch = 0;
  for (const auto& [path, target] : plan.symlinks) {
    // Each symlink its own source: reading one moves its access time.
    fs::path link = staging / ("link-" + std::to_string(scratch++));
    fs::create_symlink(target, link);
    struct timespec times[2] = {{static_cast<time_t>(when), 0}, {static_cast<time_t>(when), 0}};
    ::utimensat(AT_FDCWD, link.c_str(), times, AT_SYMLINK_NOFOLLOW);
    additions.push_back(UpdateCommand::add(link.string(), path));
  }
  wim.update_image(image, additions);
}

}  // namespace dismake
