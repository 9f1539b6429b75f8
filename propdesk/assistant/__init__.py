"""Text assistant (智能助手):
triage of residents' messages, FAQ answers, reply suggestions, maintenance prediction.
"""
