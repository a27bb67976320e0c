"""Pages of the council and its secret ballot (on awards.views.bp)."""
