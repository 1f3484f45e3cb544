"""The one-stop portal: service catalogue, my applications, inbox, unit work queue, case pages."""
