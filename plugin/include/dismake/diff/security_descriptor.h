// A Windows security descriptor (the self-relative SECURITY_DESCRIPTOR a WIM
// stores for each file) written in SDDL, the text form Windows itself prints
// (`icacls /save`, `Get-Acl | % Sddl`, ConvertSecurityDescriptorToString
// SecurityDescriptor): "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;;0x1200a9;;;BU)".
// `dismake diff` shows a changed descriptor this way, so a reviewer sees
// which access changed rather than that some bytes did.
#pragma once

#include <string>
#include <string_view>

namespace dismake {

// The owner (O:), group (G:), DACL (D:) and SACL (S:) that are present, with
// SDDL's aliases for the well-known SIDs (BA, SY, BU, WD, ...) and access
// masks (FA, FR, FX, ...); other SIDs as S-1-..., other masks in hex. An
// empty `bytes` gives "none"; bytes that are not a valid descriptor give
// "(not a valid security descriptor, N bytes)".
std::string security_descriptor_to_sddl(std::string_view bytes);

}  // namespace dismake
