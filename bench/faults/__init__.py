"""The fault harness (`rcm chaos`): faults injected into the running local stack while visits
flow, and the checks that nothing was lost, nothing done twice, and the pipeline moved again by
itself. It drives the stack only through deploy/local/*.sh, pid files, `rcm` and the topics."""
