"""Step 6: build a workspace: jobs, manifest, lock, atomic safe writes, summary, watch."""
