"""The document kinds: a plan, a unit's plan derived from it, a report; and the dispatcher."""
