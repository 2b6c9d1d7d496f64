# nbgrader's settings for this course. tools/classroom.py (./course release, ./course grade) reads
# this file; plain `nbgrader ...` commands run in this folder read it too.
# Layout (nbgrader's): source/<assignment>/ (copied from ../notebooks by ./course release),
# release/<assignment>/ (the student version), submitted/<student>/<assignment>/,
# autograded/, feedback/, gradebook.db. All of them are generated and git-ignored.
import os

c = get_config()  # noqa: F821 (nbgrader provides get_config when it loads this file)

# This folder is the course root wherever nbgrader is started from.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# The course id names the course on a JupyterHub exchange (nbgrader release_assignment,
# the students' Assignments tab); change it to the id your hub uses.
c.CourseDirectory.course_id = "synthetic-gradients"

# A notebook trains small networks in seconds; a busy shared CPU can make a cell several times
# slower than that, so a cell gets two minutes before autograding gives up on it.
c.Execute.timeout = 120
