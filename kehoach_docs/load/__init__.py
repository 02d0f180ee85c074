"""Step 1: read YAML safely, with the place of every value; recognise legacy encodings."""
