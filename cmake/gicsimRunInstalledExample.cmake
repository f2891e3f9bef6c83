# cmake -P script run by the example_find_package test: configure, build and
# run the standalone consumer project against an installed gicsim.
#   -DSOURCE_DIR=  consumer project (examples/installed)
#   -DBINARY_DIR=  scratch build directory (wiped first)
#   -DPREFIX=      gicsim install prefix (put on CMAKE_PREFIX_PATH)
#   -DGENERATOR= -DMAKE_PROGRAM= -DC_COMPILER= -DC_FLAGS=   same toolchain as gicsim

foreach(_var SOURCE_DIR BINARY_DIR PREFIX GENERATOR C_COMPILER)
    if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
        message(FATAL_ERROR "gicsimRunInstalledExample.cmake: -D${_var}= is required")
    endif()
endforeach()

function(run_step what)
    message(STATUS "example: ${what}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "example: ${what} failed (${_rc})")
    endif()
endfunction()

file(REMOVE_RECURSE "${BINARY_DIR}")
file(MAKE_DIRECTORY "${BINARY_DIR}")

set(_configure "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${PREFIX}"
    "-DCMAKE_C_COMPILER=${C_COMPILER}"
    "-DCMAKE_C_FLAGS=${C_FLAGS}")
if(MAKE_PROGRAM)
    list(APPEND _configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()

run_step("configure" ${_configure})
run_step("build" "${CMAKE_COMMAND}" --build "${BINARY_DIR}")
foreach(_exe gicsim_example gicsim_example_static gicsim_custom_policy)
    run_step("run ${_exe}" "${BINARY_DIR}/${_exe}")
endforeach()
