#[=======================================================================[.rst:
Installation media
^^^^^^^^^^^^^^^^^^

A build can start from the user's Windows ISO and end with a bootable ISO
holding the images it built: :command:`dismake_add_media` makes the ISO's
files a folder (``<name>_MEDIA_DIR``) whose ``sources/boot.wim`` and
``sources/install.wim`` are mounted and serviced like any WIM, and
:command:`dismake_make_iso` writes a BIOS+UEFI bootable ISO from that folder
with built files in place of the media's, :command:`dismake_make_usb_image`
a UEFI-bootable USB disk image. The boot files always come from the user's
media; dismake ships none.

.. code-block:: cmake

  dismake_add_media(win11 SOURCE ${WIN11_ISO})
  dismake_mount_image(pro WIM ${win11_MEDIA_DIR}/sources/install.wim NAME "Windows 11 Pro")
  # ... the servicing steps, as for any image
  dismake_unmount_image(pro COMMIT OUTPUT pro.wim)
  dismake_make_iso(OUTPUT contoso.iso MEDIA win11
                   REPLACE sources/install.wim pro.wim LABEL CONTOSO_W11)
  dismake_make_usb_image(OUTPUT contoso.img MEDIA win11
                         REPLACE sources/install.wim pro.wim)
#]=======================================================================]

# Included by Dismake.cmake, whose internals (Dismake/*.cmake; those of the
# media functions are in Dismake/Media.cmake) it uses.
include_guard(GLOBAL)

#[=======================================================================[.rst:
.. command:: dismake_add_media

  Declares installation media: the user's Windows ISO, or a folder holding
  its files.

  .. code-block:: cmake

    dismake_add_media(<name> SOURCE <file.iso | folder> [MEDIA_DIR <dir>])

  ``<name>``
    The media's name in the build (letters, digits, ``_``, ``.``, ``-``),
    given to :command:`dismake_make_iso` as ``MEDIA``.
  ``SOURCE <file.iso | folder>``
    An ISO (relative paths: to the current source directory) or a folder.
    An ISO is read without root or loop device: through UDF when it has a
    UDF volume (Microsoft's media keep their files there, leaving a
    ``README.TXT`` alone on the ISO 9660 side), else through ISO 9660 with
    Joliet or Rock Ridge names. An ISO whose files cannot be read is
    refused, never extracted as that ``README.TXT``. A folder is used
    where it is.
  ``MEDIA_DIR <dir>``
    Where an ISO is extracted (relative paths: to the current binary
    directory). Default: ``<binary-dir>/dismake/media/<name>/files``.

  Sets ``<name>_MEDIA_DIR`` in the calling scope: the folder of the media's
  files (the extraction, or the ``SOURCE`` folder). An ISO is extracted
  when CMake runs, so that its WIMs can be given to
  :command:`dismake_mount_image`; this needs a built helper then
  (``find_package(Dismake)`` or :variable:`DISMAKE_EXECUTABLE`). It is
  extracted once, and again only when the ISO changed (its size, time or
  inode; CMake re-runs by itself then), saying so:

  .. code-block:: text

    -- dismake media win11: extracted Win11_23H2.iso (first build): UDF volume 'CCCOMA_X64FRE_EN-US_DV9', 1012 files
    -- dismake media win11: Win11_23H2.iso up to date
#]=======================================================================]
function(dismake_add_media name)
  set(fn dismake_add_media)
  _dismake_check_name(${fn} media "${name}" SOURCE MEDIA_DIR)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SOURCE;MEDIA_DIR" "")
  _dismake_check_args(${fn} arg REQUIRED SOURCE)
  _dismake_get(known "MEDIA_${name}_DIR")
  if(NOT known STREQUAL "")
    _dismake_fail(${fn} "media '${name}' is already declared (its files are in ${known})")
  endif()
  _dismake_absolute(source "${arg_SOURCE}" "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${source}")
    _dismake_fail(${fn} "SOURCE ${source} does not exist: give the ISO of a Windows "
      "installation media, or a folder holding its files (relative paths are relative to "
      "${CMAKE_CURRENT_SOURCE_DIR})")
  endif()

  if(IS_DIRECTORY "${source}")
    if(DEFINED arg_MEDIA_DIR)
      _dismake_fail(${fn} "MEDIA_DIR goes with an ISO SOURCE: the folder ${source} is used "
        "where it is")
    endif()
    set(media_dir "${source}")
  else()
    if(DEFINED arg_MEDIA_DIR)
      _dismake_absolute(media_dir "${arg_MEDIA_DIR}" "${CMAKE_CURRENT_BINARY_DIR}")
    else()
      set(media_dir "${CMAKE_CURRENT_BINARY_DIR}/dismake/media/${name}/files")
    endif()
    _dismake_configure_time_helper(helper)
    if(helper STREQUAL "")
      _dismake_fail(${fn} "SOURCE ${source} is an ISO, which is extracted when CMake runs by a "
        "built helper, and none is there yet: use find_package(Dismake CONFIG) or set "
        "DISMAKE_EXECUTABLE, or give the folder of the ISO's files as SOURCE")
    endif()
    _dismake_run_configure_time_helper(${fn} report "${helper}" extract-media "${source}" "${media_dir}" --json)
    string(JSON outcome GET "${report}" outcome)
    cmake_path(GET source FILENAME shown)
    if(outcome STREQUAL "extracted")
      string(JSON why GET "${report}" reason)
      string(JSON format GET "${report}" format)
      string(JSON label GET "${report}" label)
      string(JSON files GET "${report}" files)
      message(STATUS "dismake media ${name}: extracted ${shown} (${why}): ${format} volume "
        "'${label}', ${files} files")
    else()
      message(STATUS "dismake media ${name}: ${shown} up to date")
    endif()
    # A changed ISO runs CMake again, which extracts it again.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${source}")
    _dismake_set("MEDIA_${name}_RECORD" "${media_dir}.dismake-media.json")
  endif()
  _dismake_set("MEDIA_${name}_DIR" "${media_dir}")
  set(${name}_MEDIA_DIR "${media_dir}" PARENT_SCOPE)
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_make_iso

  Writes a bootable installation ISO from declared media, with built files
  in place of some of the media's, as Microsoft's ``oscdimg`` does with
  ``-bootdata:2#p0,e,bboot\etfsboot.com#pEF,e,befi\microsoft\boot\efisys.bin``.

  .. code-block:: cmake

    dismake_make_iso(OUTPUT <file.iso> MEDIA <name>
                     [REPLACE <media-path> <file | target>]...
                     [LABEL <label>] [NO_PROMPT] [TARGET <target>])

  ``OUTPUT <file.iso>``
    The ISO to write (relative paths: to the current binary directory),
    through a temporary file renamed into place.
  ``MEDIA <name>``
    Media declared with :command:`dismake_add_media`.
  ``REPLACE <media-path> <file | target>``
    Write ``<file>`` (relative paths: to the current binary directory), such
    as the ``OUTPUT`` of :command:`dismake_unmount_image` or
    :command:`dismake_assemble_wim`, at ``<media-path>`` (``sources/install.wim``;
    compared without case). Instead of the file, the target that writes it
    may be named: an image (``REPLACE sources/install.wim pro``) or the
    ``TARGET`` of :command:`dismake_assemble_wim`; its
    :prop_tgt:`DISMAKE_OUTPUT` is written, and the target is built first.
    The media must have that path. Repeatable.
  ``LABEL <label>``
    The volume label, 1 to 32 of ``A-Z a-z 0-9 _ . -``. Default: the
    source ISO's label (required for folder media).
  ``NO_PROMPT``
    UEFI boots ``efi/microsoft/boot/efisys_noprompt.bin`` when the media
    has it: no "Press any key to boot from CD or DVD".
  ``TARGET <target>``
    The target (in ``ALL``) that builds the ISO. Default: the output's name
    without its extension, and ``-iso`` (``contoso.iso``: ``contoso-iso``).

  The ISO boots on BIOS (El Torito entry without emulation, platform 0,
  load size 8 sectors of 512 bytes, ``boot/etfsboot.com``) and UEFI (platform 0xEF,
  ``efi/microsoft/boot/efisys.bin``); both boot images are the media's files
  byte for byte. It is ISO 9660 level 3 with Joliet names: an
  ``install.wim`` over 4 GiB is stored in several extents. Files are read
  from where they are, never copied into a staging tree. Every time in it
  is ``SOURCE_DATE_EPOCH`` when set, else the source ISO's creation time
  (for folder media: its newest file's); so two builds from the same inputs
  give the same bytes. It is written again only when the media's files, a
  replaced file or an option changed, and the console says which. Missing
  boot files, a ``REPLACE`` path the media lacks and a bad label fail when
  CMake runs (when a built helper is there to ask).
#]=======================================================================]

function(dismake_make_iso)
  set(fn dismake_make_iso)
  cmake_parse_arguments(PARSE_ARGV 0 arg "NO_PROMPT" "OUTPUT;MEDIA;LABEL;TARGET" "REPLACE")
  _dismake_check_args(${fn} arg REQUIRED OUTPUT MEDIA)
  _dismake_media_output(${fn} iso -iso)
  set(options "")
  if(DEFINED arg_LABEL)
    list(APPEND options --label "${arg_LABEL}")
  endif()
  if(arg_NO_PROMPT)
    list(APPEND options --no-prompt)
  endif()
  # What can be known now is checked now, by the helper (the rules live there).
  _dismake_configure_time_helper(configure_helper)
  if(NOT configure_helper STREQUAL "")
    _dismake_run_configure_time_helper(${fn} ignored "${configure_helper}" make-iso --check
      --media "${media_dir}" --output "${output}" ${replace_args} ${options})
  endif()
  _dismake_media_step(${fn} make-iso "dismake: make-iso ${arg_MEDIA} -> ${arg_OUTPUT}" ${options})
endfunction()

#[=======================================================================[.rst:
.. command:: dismake_make_usb_image

  Writes a USB installation disk as a raw image (``dd`` it to a stick):
  an MBR partition table with one FAT32 partition (type ``0x0C``, active,
  from 1 MiB), as Rufus and the Media Creation Tool make sticks that boot
  on UEFI.

  .. code-block:: cmake

    dismake_make_usb_image(OUTPUT <file.img> MEDIA <name>
                           [REPLACE <media-path> <file | target>]...
                           [LABEL <label>] [SPLIT_SIZE <MiB>] [TARGET <target>])

  ``OUTPUT``, ``MEDIA``, ``REPLACE``, ``TARGET``
    As for :command:`dismake_make_iso` (the output ends with ``.img``; the
    default target is its stem and ``-usb``).
  ``LABEL <label>``
    The FAT volume label, 1 to 11 of ``A-Z 0-9 _ -``. Default ``ESD-USB``.
  ``SPLIT_SIZE <MiB>``
    Write ``sources/install.wim`` as ``install.swm`` parts of at most this
    size (Windows Setup reads them). Without it, install.wim is split into
    4000 MiB parts only when it is over FAT32's 4 GiB limit.

  UEFI firmware boots the media's ``efi/boot/bootx64.efi``. BIOS boot is
  not offered: it needs Microsoft's MBR and boot sector code, which no
  Debian package provides. The image is written again only when one of
  its inputs changed, and has the same bytes for the same inputs (times:
  ``SOURCE_DATE_EPOCH`` or the media's; volume id and disk signature
  derived from the content). It holds a copy of every file (it is a disk).
#]=======================================================================]
function(dismake_make_usb_image)
  set(fn dismake_make_usb_image)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUTPUT;MEDIA;LABEL;SPLIT_SIZE;TARGET" "REPLACE")
  _dismake_check_args(${fn} arg REQUIRED OUTPUT MEDIA)
  _dismake_media_output(${fn} img -usb)
  set(options "")
  if(DEFINED arg_LABEL)
    list(APPEND options --label "${arg_LABEL}")
  endif()
  if(DEFINED arg_SPLIT_SIZE)
    if(NOT arg_SPLIT_SIZE MATCHES "^[1-9][0-9]*$")
      _dismake_fail(${fn} "SPLIT_SIZE must be a positive number of MiB, got '${arg_SPLIT_SIZE}'")
    endif()
    list(APPEND options --split-size "${arg_SPLIT_SIZE}")
  endif()
  _dismake_media_step(${fn} make-usb "dismake: make-usb ${arg_MEDIA} -> ${arg_OUTPUT}" ${options})
endfunction()
