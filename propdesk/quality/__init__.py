"""Service quality (服务质量):
hotline calls, surveys, quality reviews, training exams, staff assessment.
"""
