// DISM's strings are wchar_t; dismake's are UTF-8. On Linux wchar_t is a
// UTF-32 code point, so the conversion is exact for valid text.
#pragma once

#include <string>

namespace dismake::capi {

// `text` as UTF-8. Throws Error E_INVALIDARG naming `parameter` when it is
// NULL or holds a value that is no Unicode scalar value (a surrogate, or
// above U+10FFFF).
std::string to_utf8(const wchar_t* text, const char* parameter);

// Like to_utf8(), but NULL and L"" are also refused: for required paths.
std::string required_utf8(const wchar_t* text, const char* parameter);

// `text` as wide characters; bytes that are not UTF-8 (a Linux file name
// may hold any) become U+FFFD.
std::wstring to_wide(const std::string& text);

}  // namespace dismake::capi
