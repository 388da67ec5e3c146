"""Built-in skills, one module each; registered as entry points in group "trayassist.skills"."""
