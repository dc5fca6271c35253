# hashveil_add_library(NAME SOURCES ...): a component library `hashveil_NAME` with the alias
# `hashveil::NAME`, public headers from include/.
function(hashveil_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(hashveil_${name} ${ARG_SOURCES})
  add_library(hashveil::${name} ALIAS hashveil_${name})
  target_include_directories(hashveil_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:include>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  set_target_properties(hashveil_${name} PROPERTIES OUTPUT_NAME hashveil_${name})
endfunction()
