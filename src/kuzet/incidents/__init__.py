"""Operations centre: incidents made from events, routed to agencies, worked through a
shared workflow with SLA timers, and the statistics of how fast the city reacts."""
