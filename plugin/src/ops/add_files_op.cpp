#include <algorithm>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/store/image_path.h"
#include "dismake/store/windows_name.h"

namespace dismake {

namespace {

// An overlay's symlink must stay inside the overlay: its target, read
// relative to where the link is, may not climb out of the overlay's root.
void check_symlink(const fs::path& root, const fs::path& link) {
  fs::path target = fs::read_symlink(link);
  std::string rel = fs::relative(link.parent_path(), root).lexically_normal().string();
  std::string combined = (rel == "." ? "" : rel + "/") + target.string();
  bool escapes = target.is_absolute();
  if (!escapes) {
    try {
      normalize_image_path(combined);
    } catch (const Error&) {
      escapes = true;
    }
  }
  if (escapes)
    throw Error(hr::kInvalidArg,
                "the symlink '" + link.string() + "' points outside the overlay ('" +
                    target.string() + "')",
                "replace it with the file it points to, or with a link inside the overlay");
}

// Every name in the overlay must be one Windows can store, and no file may
// share its name, but for case, with another entry of its directory.
void check_overlay_names(const fs::path& dir) {
  std::vector<NamedEntry> entries;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    check_windows_name(name, entry.path().string());
    bool is_directory = entry.is_directory() && !entry.is_symlink();
    entries.push_back({name, is_directory});
    if (is_directory) check_overlay_names(entry.path());
  }
  std::sort(entries.begin(), entries.end(),
            [](const NamedEntry& a, const NamedEntry& b) { return a.name < b.name; });
  check_no_case_collision(entries, dir.string());
}

class AddFilesOp : public Op {
 public:
  AddFilesOp(fs::path source, std::string destination)
      : source_(absolute_path(source)), destination_(std::move(destination)) {}

  std::string name() const override { return "add"; }
  nlohmann::json spec() const override {
    return {{"source", source_.string()}, {"destination", destination_}};
  }
  void collect_inputs(InputSet& inputs) const override {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(source_, ec)))
      throw Error(hr::kFileNotFound, "the source '" + source_.string() + "' does not exist",
                  "check the path of the file or directory to add");
    inputs.add(source_);
  }

  void check(const ServicedMount& mount) const override {
    std::string target = mount.state().resolve(destination_);
    check_windows_path(target, destination_);
    FileKind kind = mount.state().kind_of(target);
    if (fs::is_directory(source_)) {
      mount.state().refuse_links(target, /*including_self=*/true);  // its files would go through it
      if (kind == FileKind::kFile)
        throw Error(hr::kInvalidArg,
                    "cannot merge the directory '" + source_.string() + "' into '" + target +
                        "': it is a file in the image",
                    "give a directory path as the destination");
      check_overlay_names(source_);
      for (auto it = fs::recursive_directory_iterator(source_);
           it != fs::recursive_directory_iterator(); ++it) {
        if (it->is_symlink()) {
          check_symlink(source_, it->path());
        } else {
          refuse_special_file(it->path(), "the overlay entry");
        }
      }
      return;
    }
    refuse_special_file(fs::canonical(source_), "the source");
    if (mount.state().kind_of(file_target(mount)) == FileKind::kDirectory)
      throw Error(hr::kInvalidArg,
                  "the file '" + source_.string() + "' would replace the directory '" +
                      file_target(mount) + "' of the image",
                  "delete that directory in an earlier step, or give another DESTINATION");
  }

  StepChanges apply(ServicedMount& mount) override {
    StepChanges changes;
    std::string target = mount.state().resolve(destination_);
    if (!fs::is_directory(source_)) {
      target = file_target(mount);
      put_file(mount, source_, target, /*keep_links=*/false);
      changes.paths.push_back(target);
      return changes;
    }
    if (!target.empty() && mount.state().kind_of(target) != FileKind::kDirectory)
      changes.paths.push_back(target);
    fs::create_directories(mount.state().disk_path(target));
    merge_directory(mount, source_, target, changes);
    return changes;
  }

 private:
  // Where a file source goes. As with cp and xcopy, a destination ending
  // with '/' (or '\\'), the root, or a directory the image has means "into
  // this directory", under the source's own name.
  std::string file_target(const ServicedMount& mount) const {
    std::string target = mount.state().resolve(destination_);
    bool into = target.empty() || destination_.back() == '/' || destination_.back() == '\\' ||
                mount.state().kind_of(target) == FileKind::kDirectory;
    return into ? mount.state().resolve(join_image_path(target, source_.filename().string()))
                : target;
  }

  // A symlink inside an overlay stays a link (checked to point inside it); a
  // source named on its own is the file it points to.
  static void put_file(ServicedMount& mount, const fs::path& from, const std::string& target,
                       bool keep_links = true) {
    fs::path disk = mount.state().disk_path(target);
    fs::create_directories(disk.parent_path());
    std::error_code ec;
    fs::remove(disk, ec);
    if (keep_links && fs::is_symlink(fs::symlink_status(from))) {
      fs::create_symlink(fs::read_symlink(from), disk);
    } else {
      copy_file_durable(from, disk, /*durable=*/false);  // names the disk when it is full
    }
  }

  void merge_directory(ServicedMount& mount, const fs::path& dir, const std::string& target,
                       StepChanges& changes) {
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    for (const fs::path& entry : entries) {
      std::string child = mount.state().resolve(join_image_path(target, entry.filename().string()));
      fs::file_status status = fs::symlink_status(entry);
      if (fs::is_directory(status)) {
        mount.state().refuse_links(child, /*including_self=*/true);  // never merge into a link
        if (mount.state().kind_of(child) != FileKind::kDirectory) {
          fs::remove_all(mount.state().disk_path(child));
          changes.paths.push_back(child);
        }
        fs::create_directories(mount.state().disk_path(child));
        merge_directory(mount, entry, child, changes);
      } else {
        if (mount.state().kind_of(child) == FileKind::kDirectory)
          throw Error(hr::kInvalidArg,
                      "the overlay file '" + entry.string() + "' would replace the directory '" +
                          child + "' of the image",
                      "delete that directory in an earlier step, or rename the file");
        put_file(mount, entry, child);
        changes.paths.push_back(child);
      }
    }
  }

  fs::path source_;
  std::string destination_;
};

}  // namespace

std::unique_ptr<Op> make_add_files_op(fs::path source, std::string destination) {
  return std::make_unique<AddFilesOp>(std::move(source), std::move(destination));
}

}  // namespace dismake
