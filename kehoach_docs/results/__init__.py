"""Units' results, the programme's declared result fields, their roll-up, and status."""
