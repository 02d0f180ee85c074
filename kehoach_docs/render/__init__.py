"""Step 4: fill a docxtpl template (sandboxed, compiled once), with its package checks."""
