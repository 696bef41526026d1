## Names of metrics and KPIs (SPEC §2).

metric-leads = Leads
metric-qualified_leads = Qualified leads
metric-posts = Posts
metric-response_time = Response time
metric-followers = Followers
metric-unsubscribes = Unsubscribes
metric-views = Views
metric-likes = Likes
metric-comments = Comments
metric-shares = Shares
metric-sales = Sales
metric-revenue = Revenue
metric-site_visits = Site visits
metric-mentions = Brand mentions
metric-branded_searches = Branded searches

kpi-follower_growth = Follower growth
kpi-follower_growth_pct = Follower growth, %
kpi-churn_pct = Churn
kpi-views_pct = Views per follower
kpi-engagement_rate = Engagement rate
kpi-engagement_per_post = ER per post
kpi-qualified_share = Qualified share
kpi-posts_plan = Posts vs plan
kpi-response_sla = Replies within SLA
kpi-response_median = Median response
kpi-response_p90 = Response, 90th percentile
kpi-conversion = Lead → sale conversion
