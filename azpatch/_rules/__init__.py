"""The patch-mode rules: the planner that refuses before anything is written (R1 to R15),
and Microsoft's supported-image table it reads."""
