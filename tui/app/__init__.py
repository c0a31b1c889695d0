"""The app: NNPlayApp, its main screen, the frame pipeline, start-up, and saving/loading from the
keyboard.
"""
