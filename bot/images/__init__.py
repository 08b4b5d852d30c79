"""Pictures the core renders as PNG bytes: the roadmap map, a progress card, an activity heatmap, a leaderboard chart.

Each renderer is a pure function from frozen dataclasses to PNG bytes; `cache.ImageCache` runs them off the event
loop and remembers their results.
"""
