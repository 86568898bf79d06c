"""Cases: complaints and data-subject requests, their clocks and their audit trail."""
