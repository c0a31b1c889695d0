"""Teaching: the lessons, their progress file, the lesson player, and one step explained."""
