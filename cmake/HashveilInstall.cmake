# `cmake --install`: headers, the component libraries, the exported CMake package
# (find_package(hashveil) -> hashveil::hashveil) with its version file, and hashveil.pc.
# The libraries are static unless BUILD_SHARED_LIBS is on; either way the package config finds
# the private dependencies that a static link needs (libsodium, libdecaf, SQLite, libjpeg, libpng,
# libwebp, and OpenCV outside the device-only build).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HASHVEIL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/hashveil)
set(hashveil_exported_components common matcher psi hashdb hashveil)
set(hashveil_exported_targets)
foreach(component IN LISTS hashveil_exported_components)
  # Exported as hashveil::<component>, the same names as inside this build.
  set_target_properties(hashveil_${component} PROPERTIES EXPORT_NAME ${component})
  list(APPEND hashveil_exported_targets hashveil_${component})
endforeach()

install(TARGETS ${hashveil_exported_targets} EXPORT hashveilTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The server side of the vouchers (hashveil::psi_server) is not part of the package: its headers
# stay out too, so nothing installed names a library that is not.
# The device-only build has no publisher side either (hashdb/ holds the client DB and keys only).
set(hashveil_uninstalled_headers "psi/(report|share_store|threshold)\\.h$")
if(HASHVEIL_DEVICE_ONLY)
  string(APPEND hashveil_uninstalled_headers
         "|hashdb/(db_audit|db_builder|db_proof|publication|source_store)\\.h$")
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        REGEX "${hashveil_uninstalled_headers}" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/include/hashveil/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hashveil)
install(EXPORT hashveilTargets NAMESPACE hashveil:: DESTINATION ${HASHVEIL_INSTALL_CMAKEDIR})

if(HASHVEIL_DEVICE_ONLY)
  set(HASHVEIL_PC_OPENCV "")
else()
  set(HASHVEIL_PC_OPENCV ", opencv4")
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hashveilConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/hashveilConfig.cmake
                              INSTALL_DESTINATION ${HASHVEIL_INSTALL_CMAKEDIR})
# 0.x: a minor release may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hashveilConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hashveilConfig.cmake
              ${PROJECT_BINARY_DIR}/hashveilConfigVersion.cmake
        DESTINATION ${HASHVEIL_INSTALL_CMAKEDIR})

# hashveil.pc finds its prefix from its own location, so `cmake --install --prefix` anywhere works.
file(RELATIVE_PATH HASHVEIL_PC_TO_PREFIX
     /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" HASHVEIL_PC_TO_PREFIX "${HASHVEIL_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/hashveil.pc.in ${PROJECT_BINARY_DIR}/hashveil.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hashveil.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
