"""blindspot: the command line and the embedded demo, wiring collectors and the explorer."""
