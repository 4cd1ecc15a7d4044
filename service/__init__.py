"""knoten: an event-driven facilitation service for civic-engagement networks."""
