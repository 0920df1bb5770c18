# `make package`: a Debian package made with CPack (sysgate_VERSION_ARCH.deb) holding what
# `cmake --install` installs: the CLI, libsysgate with its headers, CMake and pkg-config files,
# the man page, the built-in profiles as files, and the docs. tests/package/ installs it with
# apt into a fresh root and uses it there.

# The built-in profiles, as files: what `sysgate run --profile NAME` holds compiled in.
install(DIRECTORY profiles/ DESTINATION ${CMAKE_INSTALL_DATADIR}/sysgate/profiles
        FILES_MATCHING PATTERN "*.sgp")
file(GLOB SYSGATE_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md CHANGELOG.md ${SYSGATE_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian's changelog of the package (a native one: changelog.gz), pointing at CHANGELOG.md.
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  set(SYSGATE_DATE_EPOCH $ENV{SOURCE_DATE_EPOCH})
else()
  string(TIMESTAMP SYSGATE_DATE_EPOCH "%s" UTC)
endif()
execute_process(COMMAND date -u -R -d @${SYSGATE_DATE_EPOCH} OUTPUT_VARIABLE SYSGATE_DEB_DATE
                OUTPUT_STRIP_TRAILING_WHITESPACE)
configure_file(cmake/debian-changelog.in ${CMAKE_CURRENT_BINARY_DIR}/changelog @ONLY)
# Debian's place for the licence, in its machine-readable format.
configure_file(cmake/debian-copyright.in ${CMAKE_CURRENT_BINARY_DIR}/copyright @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian ships manuals and changelogs compressed (gzip -n: no name or time, so reproducible).
find_program(GZIP gzip REQUIRED)
foreach(f ${PROJECT_SOURCE_DIR}/docs/sysgate.1 ${CMAKE_CURRENT_BINARY_DIR}/changelog)
  get_filename_component(name ${f} NAME)
  set(gz ${CMAKE_CURRENT_BINARY_DIR}/${name}.gz)
  add_custom_command(OUTPUT ${gz} COMMAND ${GZIP} -9nc ${f} > ${gz} DEPENDS ${f})
  list(APPEND SYSGATE_GZ ${gz})
endforeach()
add_custom_target(sysgate_gz ALL DEPENDS ${SYSGATE_GZ})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sysgate.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The CLI is static on purpose (docs/run.md, "Safety"): lintian is told why. Only the package
# holds this (the component `debian`, which a plain `cmake --install` leaves out).
install(FILES cmake/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME sysgate COMPONENT debian EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sysgate)
set(CPACK_PACKAGE_VENDOR sysgate)
set(CPACK_PACKAGE_CONTACT "sysgate maintainers <maintainers@sysgate.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "seccomp-BPF policies: write, compile, check, run")
set(CPACK_PACKAGE_DESCRIPTION
    "sysgate writes, checks, compiles and runs Linux seccomp-BPF syscall
filters. Policies are written in its own language or read from Docker,
OCI, systemd, minijail, Kafel, Firecracker and Kubernetes formats; one
verified BPF program covers every target architecture. sysgate run runs
a program under a policy and reports every call it blocks; sysgate learn
writes the policy a program needs. The package holds the CLI, the C++
library with its headers, CMake and pkg-config files, the built-in
profiles and the documentation.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # sysgate_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://sysgate.invalid")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # the CLI is static: libsysgate's users need the rest
# libsysgate.a is built against fmt (header-only) and yaml-cpp: its CMake and pkg-config files
# find both, so a program built on it needs their development packages.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libfmt-dev, libyaml-cpp-dev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "g++, cmake, pkg-config")
set(CPACK_STRIP_FILES ON)  # the CLI; libsysgate.a's debug sections go in strip_archive.cmake
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/strip_archive.cmake)
set(CPACK_SET_DESTDIR OFF)
# What `cmake --install` installs, and the package's own files.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};ALL;/"
                                 "${PROJECT_BINARY_DIR};${PROJECT_NAME};debian;/")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
