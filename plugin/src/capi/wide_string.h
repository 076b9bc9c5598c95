// DISM's strings are WCHAR; dismake's are UTF-8. The library is built in two
// flavours from the same sources (see "The string flavour" in dismapi.h):
// WCHAR is wchar_t holding UTF-32 (libdismapi), or char16_t holding UTF-16
// when DISMAKE_UTF16 is defined (libDismApi). Both convert exactly for valid
// text; invalid text is refused on the way in and never produced on the way
// out.
#pragma once

#include <string>
#include <string_view>

#include "dismapi.h"

namespace dismake::capi {

// The flavour's own string of WCHAR.
using DismText = std::basic_string<WCHAR>;
using DismTextView = std::basic_string_view<WCHAR>;

// `text` as UTF-8. Throws Error E_INVALIDARG naming `parameter` when it is
// NULL or is no valid text of the flavour: a surrogate without its pair
// (UTF-16), or a value that is no Unicode scalar value (UTF-32).
std::string to_utf8(const WCHAR* text, const char* parameter);

// Like to_utf8(), but NULL and an empty string are also refused: for
// required values.
std::string required_utf8(const WCHAR* text, const char* parameter);

// Like required_utf8(), for a file or directory path: also throws Error
// ERROR_FILENAME_EXCED_RANGE (as Windows does for a path too long for it)
// when it cannot name a file on Linux: PATH_MAX bytes or more, or a
// component longer than NAME_MAX bytes. Every path the API takes comes
// through here, so no later file call sees one.
std::string required_path(const WCHAR* text, const char* parameter);

// `text` in the flavour's encoding; bytes that are not UTF-8 (a Linux file
// name may hold any) become U+FFFD.
DismText to_wide(const std::string& text);

// Whether the flavour's NUL-terminated `text` (may be NULL) equals `literal`.
bool text_equals(const WCHAR* text, DismTextView literal);

}  // namespace dismake::capi
