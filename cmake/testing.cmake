# tc_add_test(NAME name SOURCES a.cc b.cc LIBS lib... [LABELS l...] [ENVIRONMENT NAME=value])
# One gtest binary; every TEST is its own ctest entry (gtest_discover_tests), so ctest -j
# runs them in parallel.
include(GoogleTest)
function(tc_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main tc_build_flags tc_internal_headers)
  if(T_ENVIRONMENT)
    gtest_discover_tests(${T_NAME}
      PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${T_ENVIRONMENT}"
      DISCOVERY_TIMEOUT 60)
  else()
    gtest_discover_tests(${T_NAME}
      PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
      DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
