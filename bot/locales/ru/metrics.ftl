## Names of metrics and KPIs (SPEC §2).

metric-leads = Лиды
metric-qualified_leads = Квал. лиды
metric-posts = Публикации
metric-response_time = Время ответа
metric-followers = Подписчики
metric-unsubscribes = Отписки
metric-views = Просмотры
metric-likes = Лайки
metric-comments = Комментарии
metric-shares = Репосты
metric-sales = Продажи
metric-revenue = Выручка
metric-site_visits = Переходы на сайт
metric-mentions = Упоминания бренда
metric-branded_searches = Брендовые запросы

kpi-follower_growth = Прирост подписчиков
kpi-follower_growth_pct = Прирост подписчиков, %
kpi-churn_pct = Отток
kpi-views_pct = Просмотры от подписчиков
kpi-engagement_rate = Вовлечённость (ER)
kpi-engagement_per_post = ER на пост
kpi-qualified_share = Доля квал. лидов
kpi-posts_plan = План публикаций
kpi-response_sla = Ответы в срок (SLA)
kpi-response_median = Медиана ответа
kpi-response_p90 = Ответ, 90-й перцентиль
kpi-conversion = Конверсия лид → продажа
