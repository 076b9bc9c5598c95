#include "dismake/store/base_verification.h"

#include <sys/stat.h>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

namespace fs = std::filesystem;

namespace {

// The record's name: the identity and everything about the file that an
// in-place change alters (ctime cannot be set back by hand).
fs::path record_of(const fs::path& home, const fs::path& wim_path, const std::string& identity) {
  struct stat st {};
  if (::stat(wim_path.c_str(), &st) != 0) throw_errno("stat", wim_path.string(), errno);
  std::string key =
      Sha256()
          .add(identity)
          .add(std::to_string(st.st_dev))
          .add(std::to_string(st.st_ino))
          .add(std::to_string(st.st_size))
          .add(std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec))
          .add(std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec))
          .hex();
  return home / "verified-bases" / key;
}

}  // namespace

void verify_base_once(const fs::path& home, const fs::path& wim_path, const std::string& identity,
                      const ProgressFn& progress, const WimFile* opened) {
  fs::path record = record_of(home, wim_path, identity);
  std::error_code ec;
  if (fs::exists(record, ec)) return;
  try {
    if (opened != nullptr) {
      opened->verify(progress);
    } else {
      WimFile::open(wim_path).verify(progress);
    }
  } catch (const Error& e) {
    if (e.code() != hr::kFileCorrupt) throw;
    std::string reason = e.problem();
    if (size_t colon = reason.find("': "); colon != std::string::npos)
      reason = reason.substr(colon + 3);  // wimlib's account, without the path again
    throw Error(hr::kFileCorrupt,
                "the base WIM '" + wim_path.string() + "' is damaged: " + reason +
                    "; nothing was mounted or committed from it",
                "get an intact copy of the WIM (`wimlib-imagex verify` shows the damage)");
  }
  record_base_verified(home, wim_path, identity);
}

void record_base_verified(const fs::path& home, const fs::path& wim_path,
                          const std::string& identity) {
  fs::path record = record_of(home, wim_path, identity);
  // A cache: when it cannot be written, the next use verifies again (and
  // whatever needs the home directory says how to set it).
  try {
    create_private_directory(record.parent_path());
    write_file_atomic(record, wim_path.string() + "\n", 0600);
  } catch (const Error&) {
  }
}

}  // namespace dismake
