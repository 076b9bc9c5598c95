#include "dismake/drivers/driver_package.h"

#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>
#include <set>

#include "dismake/base/case_fold.h"
#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

namespace {

std::string lower_ascii(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

bool is_inf(const fs::path& path) {
  return fold_case(path.extension().string()) == ".INF" && fs::is_regular_file(path);
}

// "a\b" and "a/b" as '/'-separated, without "." parts; refuses ".." (a
// package names files inside itself).
std::string package_relative(const InfFile& inf, int line, const std::string& text) {
  std::string out;
  size_t start = 0;
  std::string path = text;
  std::replace(path.begin(), path.end(), '\\', '/');
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") inf.fail(line, "the path '" + text + "' leaves the package's folder");
    if (!part.empty() && part != ".") out += (out.empty() ? "" : "/") + part;
    start = end + 1;
  }
  return out;
}

// SourceDisksNames: disk id → its path inside the package (4th field).
std::map<std::string, std::string> disk_paths(const InfFile& inf, const std::string& arch) {
  std::map<std::string, std::string> disks;
  for (const std::string& name : {std::string("SourceDisksNames"), "SourceDisksNames." + arch}) {
    const std::vector<InfLine>* lines = inf.section(name);
    if (!lines) continue;
    for (const InfLine& line : *lines)
      disks[line.key] = line.fields.size() > 3
                            ? package_relative(inf, line.line_number, line.fields[3])
                            : std::string();
  }
  return disks;
}

struct ListedFile {
  std::string relative;
  int line = 0;
};

// SourceDisksFiles(.arch): file name (folded) → where it is in the package.
std::map<std::string, ListedFile> listed_files(const InfFile& inf, const std::string& arch) {
  std::map<std::string, std::string> disks = disk_paths(inf, arch);
  std::map<std::string, ListedFile> files;
  for (const std::string& name : {std::string("SourceDisksFiles"), "SourceDisksFiles." + arch}) {
    const std::vector<InfLine>* lines = inf.section(name);
    if (!lines) continue;
    for (const InfLine& line : *lines) {
      std::string file = line.key.empty() && !line.fields.empty() ? line.fields[0] : line.key;
      if (file.empty()) continue;
      std::string disk = line.key.empty() || line.fields.empty() ? "" : line.fields[0];
      std::string subdir = line.fields.size() > 1 ? line.fields[1] : "";
      auto it = disks.find(disk);
      if (!disk.empty() && it == disks.end())
        inf.fail(line.line_number,
                 "'" + file + "' is on disk " + disk + ", which [SourceDisksNames] does not list");
      std::string relative = it == disks.end() ? "" : it->second;
      std::string sub = package_relative(inf, line.line_number, subdir);
      if (!sub.empty()) relative += (relative.empty() ? "" : "/") + sub;
      relative += (relative.empty() ? "" : "/") + package_relative(inf, line.line_number, file);
      files[fold_case(file)] = ListedFile{relative, line.line_number};
    }
  }
  return files;
}

// Every file a chosen install section's CopyFiles names, with its line.
std::vector<std::pair<std::string, int>> copied_files(const InfFile& inf, const InfDriver& driver) {
  std::vector<std::pair<std::string, int>> copied;
  for (const std::string& install : driver.install_sections) {
    for (const InfLine* line : inf.lines_with_key(install, "CopyFiles")) {
      for (const std::string& field : line->fields) {
        if (field.empty()) continue;
        if (field[0] == '@') {
          copied.emplace_back(field.substr(1), line->line_number);
          continue;
        }
        const std::vector<InfLine>* section = inf.section(field);
        if (!section)
          inf.fail(line->line_number,
                   "CopyFiles names the section [" + field + "], which is missing");
        for (const InfLine& entry : *section) {
          // destination[, source]: the source name when given.
          std::string name = entry.fields.size() > 1 && !entry.fields[1].empty()
                                 ? entry.fields[1]
                                 : (entry.fields.empty() ? entry.key : entry.fields[0]);
          if (!name.empty()) copied.emplace_back(name, entry.line_number);
        }
      }
    }
  }
  return copied;
}

std::string catalog_of(const InfFile& inf, const std::string& arch) {
  for (const std::string& key :
       {"CatalogFile.NT" + arch, std::string("CatalogFile.NT"), std::string("CatalogFile")})
    if (std::optional<std::string> value = inf.value("Version", key)) return *value;
  return "";
}

std::string package_digest(const std::vector<DriverPackageFile>& files) {
  Sha256 digest;
  for (const DriverPackageFile& file : files) {
    digest.add(file.relative);
    digest.add(sha256_file_hex(file.source));
  }
  return digest.hex();
}

}  // namespace

std::vector<fs::path> find_driver_infs(const fs::path& path, bool recurse) {
  std::error_code ec;
  std::vector<fs::path> infs;
  if (fs::is_regular_file(path, ec)) {
    infs.push_back(path);
  } else if (fs::is_directory(path, ec)) {
    if (recurse) {
      for (const fs::directory_entry& entry : fs::recursive_directory_iterator(path))
        if (is_inf(entry.path())) infs.push_back(entry.path());
    } else {
      for (const fs::directory_entry& entry : fs::directory_iterator(path))
        if (is_inf(entry.path())) infs.push_back(entry.path());
    }
  } else {
    throw Error(hr::kFileNotFound, "'" + path.string() + "' does not exist",
                "name a driver's .inf file or a folder of driver packages");
  }
  std::sort(infs.begin(), infs.end());
  if (infs.empty())
    throw Error(hr::kFileNotFound, "'" + path.string() + "' holds no .inf file",
                recurse ? "name a folder with driver packages"
                        : "add --recurse (RECURSE) to search its subfolders");
  return infs;
}

std::string catalog_signer_name(const fs::path& catalog) {
  std::string bytes = read_file(catalog);
  auto no_signature = [&](const std::string& why) {
    return Error(hr::kTrustNoSignature, "the catalog '" + catalog.string() + "' " + why,
                 "sign the package, or add it with --force-unsigned (FORCE_UNSIGNED)");
  };
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::unique_ptr<PKCS7, decltype(&PKCS7_free)> p7(
      d2i_PKCS7(nullptr, &data, static_cast<long>(bytes.size())), PKCS7_free);
  if (!p7) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), BIO_free);
    p7.reset(PEM_read_bio_PKCS7(bio.get(), nullptr, nullptr, nullptr));
  }
  if (!p7 || !PKCS7_type_is_signed(p7.get())) throw no_signature("is not a signed PKCS#7 file");
  STACK_OF(X509)* signers = PKCS7_get0_signers(p7.get(), nullptr, 0);
  if (!signers || sk_X509_num(signers) == 0) {
    sk_X509_free(signers);
    throw no_signature("names no signer certificate");
  }
  X509_NAME* subject = X509_get_subject_name(sk_X509_value(signers, 0));
  std::string name;
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index >= 0) {
    ASN1_STRING* data_cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    int length = ASN1_STRING_to_UTF8(&utf8, data_cn);
    if (length >= 0) name.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
    OPENSSL_free(utf8);
  } else {
    char text[512];
    X509_NAME_oneline(subject, text, sizeof text);
    name = text;
  }
  sk_X509_free(signers);
  return name;
}

DriverPackageSource read_driver_package(const fs::path& inf_path, const TargetPlatform& target,
                                        bool force_unsigned) {
  InfFile inf = InfFile::load(inf_path);
  DriverPackageSource package;
  package.inf_path = inf_path;
  package.inf_name = lower_ascii(inf_path.filename().string());
  package.architecture = target.architecture;
  package.driver = read_driver_inf(inf, target);
  if (package.driver.models.empty() && inf.section("Manufacturer"))
    throw Error(hr::kInstallPlatformUnsupported,
                "'" + inf_path.string() + "' has no models for " + target.architecture +
                    ", the image's architecture",
                "use the package built for " + target.architecture);
  if (package.driver.class_guid.empty())
    inf.fail(1, "[Version] has no ClassGuid", "add the ClassGuid of the driver's setup class");

  fs::path root = inf_path.parent_path();
  std::map<std::string, ListedFile> listed = listed_files(inf, target.architecture);
  for (const auto& [name, line] : copied_files(inf, package.driver))
    if (!listed.count(fold_case(name)))
      inf.fail(line, "'" + name + "' is copied but [SourceDisksFiles] does not list it",
               "list it in [SourceDisksFiles] (or .<arch>)");
  package.files.push_back({inf_path, inf_path.filename().string()});
  std::set<std::string> seen{fold_case(inf_path.filename().string())};
  std::vector<DriverPackageFile> rest;
  for (const auto& [folded, file] : listed) {
    fs::path source = root / file.relative;
    if (!fs::is_regular_file(source))
      throw Error(hr::kFileNotFound,
                  inf_path.string() + ", line " + std::to_string(file.line) +
                      ": the package has no '" + file.relative + "'",
                  "put the file beside the INF, or fix [SourceDisksFiles]");
    if (seen.insert(fold_case(file.relative)).second) rest.push_back({source, file.relative});
  }

  package.catalog = catalog_of(inf, target.architecture);
  if (!package.catalog.empty()) {
    fs::path catalog = root / package_relative(inf, 0, package.catalog);
    if (fs::is_regular_file(catalog)) {
      if (seen.insert(fold_case(package.catalog)).second)
        rest.push_back({catalog, package.catalog});
      try {
        package.signer_name = catalog_signer_name(catalog);
      } catch (const Error&) {
        if (!force_unsigned) throw;
      }
    } else if (!force_unsigned) {
      throw Error(hr::kTrustNoSignature,
                  "'" + inf_path.string() + "' names the catalog " + package.catalog +
                      ", which the package lacks",
                  "add the catalog, or add the package with --force-unsigned (FORCE_UNSIGNED)");
    } else {
      package.catalog.clear();
    }
  } else if (!force_unsigned) {
    throw Error(hr::kTrustNoSignature,
                "'" + inf_path.string() + "' names no CatalogFile: it is unsigned",
                "sign it, or add it with --force-unsigned (FORCE_UNSIGNED)");
  }
  std::sort(rest.begin(), rest.end(), [](const DriverPackageFile& a, const DriverPackageFile& b) {
    return fold_case(a.relative) < fold_case(b.relative);
  });
  package.files.insert(package.files.end(), rest.begin(), rest.end());
  package.package_id = package.inf_name + "_" + target.architecture + "_" +
                       package_digest(package.files).substr(0, 16);
  for (const auto& [key, value] : inf.strings()) {
    package.strings_keys.push_back(key);
    package.strings_values.push_back(value);
  }
  return package;
}

}  // namespace dismake
