// DISM's strings are wchar_t; dismake's are UTF-8. On Linux wchar_t is a
// UTF-32 code point, so the conversion is exact for valid text.
#pragma once

#include <string>

namespace dismake::capi {

// `text` as UTF-8. Throws Error E_INVALIDARG naming `parameter` when it is
// NULL or holds a value that is no Unicode scalar value (a surrogate, or
// above U+10FFFF).
std::string to_utf8(const wchar_t* text, const char* parameter);

// Like to_utf8(), but NULL and L"" are also refused: for required values.
std::string required_utf8(const wchar_t* text, const char* parameter);

// Like required_utf8(), for a file or directory path: also throws Error
// ERROR_FILENAME_EXCED_RANGE (as Windows does for a path too long for it)
// when it cannot name a file on Linux: PATH_MAX bytes or more, or a
// component longer than NAME_MAX bytes. Every path the API takes comes
// through here, so no later file call sees one.
std::string required_path(const wchar_t* text, const char* parameter);

// `text` as wide characters; bytes that are not UTF-8 (a Linux file name
// may hold any) become U+FFFD.
std::wstring to_wide(const std::string& text);

}  // namespace dismake::capi
