"""Reading and writing what comes from outside, safely: bounded reads, hostile npz archives, atomic
writes, and outside text made safe to show.
"""
